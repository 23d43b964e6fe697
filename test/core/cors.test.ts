import { describe, expect, it } from 'vitest'

import { defaultConfig, type CorsConfig } from '../../shared/config'
import type { HeaderList } from '../../shared/exchange'
import {
  applyCorsToResponseHeaders,
  decideActualRequest,
  decidePreflight,
  listExposedHeaders,
  readCorsRequest,
} from '../../electron/core/cors'
import { loadCorsVectors, runPolicy } from './cors-vectors'

// The proxy adds these around the policy; the rate limiter's own tests cover them.
const RATE_LIMIT_HEADER = /^(x-ratelimit-|retry-after$|ratelimit)/i

const TOKEN_SUPERSET = new Set(['vary', 'access-control-expose-headers'])

function valuesOf(headers: HeaderList, name: string): string[] {
  return headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, v]) => v)
}

function tokensOf(values: string[], caseSensitive: boolean): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .map((token) => (caseSensitive ? token : token.toLowerCase()))
}

/** Compares one expected header the way the fixture's `meta.conventions.comparison` says. */
function expectHeader(headers: HeaderList, name: string, expected: string): void {
  const values = valuesOf(headers, name)
  const lower = name.toLowerCase()
  expect(values, `${name} present`).not.toHaveLength(0)

  if (TOKEN_SUPERSET.has(lower)) {
    const actual = tokensOf(values, false)
    for (const token of tokensOf([expected], false)) expect(actual, name).toContain(token)
  } else if (lower === 'access-control-allow-headers' || lower === 'access-control-allow-methods') {
    const caseSensitive = lower === 'access-control-allow-methods'
    const actual = new Set(tokensOf(values, caseSensitive))
    expect(actual, name).toEqual(new Set(tokensOf([expected], caseSensitive)))
  } else {
    expect(values, name).toEqual([expected])
  }
}

function corsConfig(overrides: Partial<CorsConfig> = {}): CorsConfig {
  return {
    ...defaultConfig(':memory:').cors,
    allowedOrigins: ['https://app.example.com'],
    ...overrides,
  }
}

describe('CORS vectors', () => {
  for (const vector of loadCorsVectors()) {
    it(`${vector.id}: ${vector.description}`, () => {
      const { request, status, headers } = runPolicy(vector)

      if (request.isPreflight) expect(status).toBe(vector.expect.status)
      for (const [name, value] of Object.entries(vector.expect.headers)) {
        if (!RATE_LIMIT_HEADER.test(name)) expectHeader(headers, name, value)
      }
      for (const name of vector.expect.absentHeaders) {
        if (!RATE_LIMIT_HEADER.test(name)) expect(valuesOf(headers, name), name).toEqual([])
      }
    })
  }
})

describe('readCorsRequest', () => {
  it('reads a browser preflight', () => {
    const raw = [
      'Host', '127.0.0.1:8787',
      'Origin', 'https://app.example.com',
      'Access-Control-Request-Method', 'PUT',
      'Access-Control-Request-Headers', 'content-type,x-api-key',
    ] // prettier-ignore

    const request = readCorsRequest('OPTIONS', raw)

    expect(request).toMatchObject({
      origin: 'https://app.example.com',
      originIsSingle: true,
      requestedMethod: 'PUT',
      requestedHeaders: ['content-type', 'x-api-key'],
      isPreflight: true,
    })
  })

  it('treats repeated Origin lines as not a single origin', () => {
    const raw = ['Origin', 'https://app.example.com', 'Origin', 'https://evil.test']

    const request = readCorsRequest('GET', raw)

    expect(request.origin).toBe('https://app.example.com, https://evil.test')
    expect(request.originIsSingle).toBe(false)
  })

  it('treats an OPTIONS without Access-Control-Request-Method as an ordinary request', () => {
    const request = readCorsRequest('OPTIONS', ['Origin', 'https://app.example.com'])

    expect(request.isPreflight).toBe(false)
  })

  it('notes cookies and authorization, and lists the headers a browser would ask about', () => {
    const raw = ['Cookie', 'a=1', 'Authorization', 'Bearer x', 'Content-Type', 'application/json']

    const crossOrigin = readCorsRequest('POST', ['Origin', 'https://app.example.com', ...raw])
    const sameOrigin = readCorsRequest('POST', raw)

    expect(crossOrigin.hasCookie).toBe(true)
    expect(crossOrigin.hasAuthorization).toBe(true)
    expect(crossOrigin.unsafeHeaderNames).toEqual(['authorization', 'content-type'])
    expect(sameOrigin.unsafeHeaderNames).toEqual([])
  })
})

describe('decidePreflight', () => {
  const preflight = (method: string, headers = '') =>
    readCorsRequest('OPTIONS', [
      'Origin', 'https://app.example.com',
      'Access-Control-Request-Method', method,
      'Access-Control-Request-Headers', headers,
    ]) // prettier-ignore

  it('compares methods case-sensitively, like browsers', () => {
    const decision = decidePreflight(preflight('patch'), corsConfig())

    expect(decision.status).toBe(403)
    expect(decision.failure).toEqual({ rule: 'method-not-allowed', method: 'patch' })
  })

  it('lets * in allowedMethods cover any method without credentials only', () => {
    const config = corsConfig({ allowedMethods: ['*'] })

    const open = decidePreflight(preflight('PURGE'), config)
    const credentialed = decidePreflight(preflight('PURGE'), { ...config, allowCredentials: true })

    expect(open.passed).toBe(true)
    expect(credentialed.passed).toBe(false)
  })

  it('names every disallowed header', () => {
    const decision = decidePreflight(
      preflight('GET', 'x-debug, X-Trace, content-type'),
      corsConfig(),
    )

    expect(decision.failure).toEqual({
      rule: 'header-not-allowed',
      headers: ['x-debug', 'X-Trace'],
    })
  })

  it('refuses a preflight with several origins', () => {
    const request = readCorsRequest('OPTIONS', [
      'Origin', 'https://app.example.com https://evil.test',
      'Access-Control-Request-Method', 'PUT',
    ]) // prettier-ignore

    const decision = decidePreflight(request, corsConfig({ allowedOrigins: ['*'] }))

    expect(decision.failure).toEqual({ rule: 'origin-not-single' })
  })

  it('omits Max-Age when none is configured', () => {
    const decision = decidePreflight(preflight('PUT'), corsConfig({ maxAge: undefined }))

    expect(valuesOf(decision.headers, 'Access-Control-Max-Age')).toEqual([])
    expect(decision.maxAgeSeconds).toBeUndefined()
  })
})

describe('decideActualRequest', () => {
  it('adds the draft rate-limit headers to the exposed list when they are on', () => {
    const request = readCorsRequest('GET', ['Origin', 'https://app.example.com'])

    const decision = decideActualRequest(request, corsConfig(), { draftRateLimitHeaders: true })

    const exposed = valuesOf(decision.headers, 'Access-Control-Expose-Headers')[0] ?? ''
    expect(exposed.split(', ').slice(-2)).toEqual(['RateLimit-Policy', 'RateLimit'])
  })

  it('exposes configured headers first and drops case-insensitive repeats', () => {
    const config = corsConfig({ exposeHeaders: ['X-Request-Id', 'retry-after', 'x-request-id'] })

    const exposed = listExposedHeaders(config)

    expect(exposed).toEqual([
      'X-Request-Id',
      'retry-after',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ])
  })

  it('sends no CORS headers without an Origin', () => {
    const decision = decideActualRequest(readCorsRequest('GET', []), corsConfig())

    expect(decision).toEqual({ outcome: 'not-cors', headers: [] })
  })
})

describe('applyCorsToResponseHeaders', () => {
  const cors: HeaderList = [['Access-Control-Allow-Origin', 'https://app.example.com']]

  it('replaces upstream CORS headers and keeps the rest in order and spelling', () => {
    const upstream: HeaderList = [
      ['content-type', 'application/json'],
      ['Access-Control-Allow-Origin', '*'],
      ['access-control-allow-credentials', 'true'],
      ['X-Request-Id', 'abc'],
    ]

    const headers = applyCorsToResponseHeaders(upstream, cors)

    expect(headers).toEqual([
      ['content-type', 'application/json'],
      ['X-Request-Id', 'abc'],
      ['Vary', 'Origin'],
      ['Access-Control-Allow-Origin', 'https://app.example.com'],
    ])
  })

  it('merges Origin into the last upstream Vary line', () => {
    const upstream: HeaderList = [
      ['vary', 'Accept'],
      ['ETag', '"1"'],
      ['vary', 'Accept-Encoding'],
    ]

    const headers = applyCorsToResponseHeaders(upstream, [])

    expect(headers).toEqual([
      ['vary', 'Accept'],
      ['ETag', '"1"'],
      ['vary', 'Accept-Encoding, Origin'],
    ])
  })

  it('leaves Vary alone when it already names Origin or is *', () => {
    const named = applyCorsToResponseHeaders([['Vary', 'origin, Accept']], [])
    const star = applyCorsToResponseHeaders([['Vary', '*']], [])

    expect(named).toEqual([['Vary', 'origin, Accept']])
    expect(star).toEqual([['Vary', '*']])
  })

  it('does not change the upstream list it was given', () => {
    const upstream: HeaderList = [['Vary', 'Accept']]

    applyCorsToResponseHeaders(upstream, cors)

    expect(upstream).toEqual([['Vary', 'Accept']])
  })
})
