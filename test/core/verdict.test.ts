import { describe, expect, it } from 'vitest'

import { defaultConfig, type CorsConfig } from '../../shared/config'
import type { CorsRule, CorsVerdict, HeaderList } from '../../shared/exchange'
import {
  applyCorsToResponseHeaders,
  decideActualRequest,
  decidePreflight,
  readCorsRequest,
} from '../../electron/core/cors'
import {
  judgeActualRequest,
  judgePreflight,
  type CredentialsMode,
} from '../../electron/core/verdict'
import type { PreflightMatch } from '../../electron/core/preflight-tracker'
import { loadCorsVectors, runPolicy } from './cors-vectors'

// The key fact of each blocked vector's `reason`, and the rule that names it.
const BLOCKED: Record<string, { rule: CorsRule; facts: RegExp[] }> = {
  'cors-005-port-mismatch': { rule: 'origin-not-allowed', facts: [/5174 vs 5173/] },
  'cors-006-localhost-vs-loopback-ip': {
    rule: 'origin-not-allowed',
    facts: [/127\.0\.0\.1 is not localhost/],
  },
  'cors-007-request-origin-explicit-default-port': {
    rule: 'origin-not-allowed',
    facts: [/default port 443/, /would send https:\/\/app\.example\.com/],
  },
  'cors-012-parent-domain': { rule: 'origin-not-allowed', facts: [/parent domain/] },
  'cors-013-suffix-lookalike': { rule: 'origin-not-allowed', facts: [/prefix/] },
  'cors-014-prefix-lookalike': { rule: 'origin-not-allowed', facts: [/suffix/] },
  'cors-022-null-origin-not-allowlisted': { rule: 'origin-not-allowed', facts: [/null/] },
  'cors-026-origin-list-space-separated': { rule: 'origin-not-single', facts: [/single/] },
  'cors-033-wildcard-with-credentials-credentialed-request': {
    rule: 'wildcard-with-credentials',
    facts: [/Access-Control-Allow-Origin: \*/, /include/],
  },
  'cors-036-credentialed-request-credentials-disabled': {
    rule: 'credentials-not-allowed',
    facts: [/Access-Control-Allow-Credentials: true/, /include/],
  },
  'cors-040-429-disallowed-origin': { rule: 'origin-not-allowed', facts: [/evil\.test/] },
  'cors-042-preflight-disallowed-origin': {
    rule: 'preflight-failed',
    facts: [/evil\.test/, /never sends the PUT request/],
  },
  'cors-046-preflight-disallowed-header': { rule: 'preflight-failed', facts: [/x-debug/] },
  'cors-054-authorization-not-covered-by-wildcard': {
    rule: 'preflight-failed',
    facts: [/Authorization/],
  },
  'cors-057-wildcard-headers-with-credentials': {
    rule: 'preflight-failed',
    facts: [/literally/, /x-custom/],
  },
  'cors-065-accept-with-unsafe-value': { rule: 'preflight-failed', facts: [/accept/] },
}

const ALLOWLIST = ['https://app.example.com', 'http://localhost:5173']

function corsConfig(overrides: Partial<CorsConfig> = {}): CorsConfig {
  return { ...defaultConfig(':memory:').cors, allowedOrigins: ALLOWLIST, ...overrides }
}

/** Runs a request through the policy and judges what the client got back. */
function judge(
  method: string,
  raw: string[],
  options: {
    config?: CorsConfig
    upstream?: HeaderList
    credentialsMode?: CredentialsMode
    preflight?: PreflightMatch
  } = {},
): CorsVerdict {
  const config = options.config ?? corsConfig()
  const request = readCorsRequest(method, raw)
  const cors = decideActualRequest(request, config)
  const responseHeaders = applyCorsToResponseHeaders(options.upstream ?? [], cors.headers)
  return judgeActualRequest({ request, config, responseHeaders, ...options })
}

describe('verdicts for the CORS vectors', () => {
  for (const vector of loadCorsVectors()) {
    it(`${vector.id} is ${vector.expect.browserOutcome}`, () => {
      const run = runPolicy(vector)

      const verdict = run.preflight
        ? judgePreflight(run.request, vector.config, run.preflight)
        : judgeActualRequest({
            request: run.request,
            config: vector.config,
            responseHeaders: run.headers,
            credentialsMode: vector.request.credentialsMode,
          })

      // A request without Origin is not CORS at all: nothing for the browser to block.
      const outcome = verdict.outcome === 'not-cors' ? 'allowed' : verdict.outcome
      expect(outcome).toBe(vector.expect.browserOutcome)
      const expected = BLOCKED[vector.id]
      if (expected) {
        expect(verdict.blocking?.rule).toBe(expected.rule)
        for (const fact of expected.facts) expect(verdict.blocking?.detail).toMatch(fact)
      }
      if (verdict.blocking) expect(verdict.blocking.fix).toMatch(/\.$/)
    })
  }
})

describe('judgeActualRequest', () => {
  const origin = ['Origin', 'https://app.example.com']

  it('says not-cors without an Origin', () => {
    const verdict = judge('GET', [])

    expect(verdict).toEqual({ outcome: 'not-cors', warnings: [] })
  })

  it('records no preflight for a simple request', () => {
    const verdict = judge('GET', origin)

    expect(verdict.outcome).toBe('allowed')
    expect(verdict.preflight).toBeUndefined()
    expect(verdict.warnings).toEqual([])
  })

  it('names upstream headers that script cannot read', () => {
    const upstream: HeaderList = [
      ['Content-Type', 'application/json'],
      ['X-Request-Id', 'abc'],
      ['ETag', '"1"'],
      ['Date', 'Mon, 01 Jan 2024 00:00:00 GMT'],
    ]

    const verdict = judge('GET', origin, { upstream })

    const finding = verdict.warnings.find((warning) => warning.rule === 'header-not-exposed')
    expect(finding?.detail).toMatch(/X-Request-Id, ETag/)
    expect(finding?.detail).not.toMatch(/Content-Type|Date/)
    expect(finding?.fix).toMatch(/cors\.exposeHeaders/)
  })

  it('does not warn about headers that are exposed', () => {
    const config = corsConfig({ exposeHeaders: ['x-request-id'] })

    const verdict = judge('GET', origin, { config, upstream: [['X-Request-Id', 'abc']] })

    expect(verdict.warnings).toEqual([])
  })

  it('blocks a credentialed request when credentials are not allowed, explicit mode given', () => {
    const verdict = judge('GET', origin, { credentialsMode: 'include' })

    expect(verdict.blocking?.rule).toBe('credentials-not-allowed')
    expect(verdict.blocking?.fix).toMatch(/allowCredentials/)
  })

  it('warns about credentials when the origin already blocks the request', () => {
    const verdict = judge('GET', ['Origin', 'https://evil.test', 'Cookie', 'a=1'])

    expect(verdict.blocking?.rule).toBe('origin-not-allowed')
    expect(verdict.warnings.map((warning) => warning.rule)).toContain('credentials-not-allowed')
  })

  it('warns about * with credentials on a request that still works', () => {
    const config = corsConfig({ allowedOrigins: ['*'], allowCredentials: true })

    const verdict = judge('GET', origin, { config })

    expect(verdict.outcome).toBe('allowed')
    expect(verdict.warnings.map((warning) => warning.rule)).toEqual(['wildcard-with-credentials'])
  })

  it('blocks an actual request whose logged preflight was refused', () => {
    const raw = [...origin, 'X-Debug', '1']
    const preflight: PreflightMatch = { source: 'logged', exchangeId: 12, passed: false }

    const verdict = judge('GET', raw, { preflight })

    expect(verdict.blocking?.rule).toBe('preflight-failed')
    expect(verdict.blocking?.detail).toMatch(/#12.*x-debug/)
    expect(verdict.preflight).toEqual({ needed: true, source: 'logged', exchangeId: 12 })
  })

  it('runs a missing preflight itself and blocks when it would be refused', () => {
    const verdict = judge('PUT', [...origin, 'X-Debug', '1'])

    expect(verdict.blocking?.rule).toBe('header-not-allowed')
    expect(verdict.blocking?.detail).toMatch(/would first send a preflight.*x-debug/)
    expect(verdict.warnings.map((warning) => warning.rule)).toContain('preflight-missing')
    expect(verdict.preflight).toEqual({ needed: true, source: 'missing' })
  })

  it('reports a preflight reused from the browser cache', () => {
    const preflight: PreflightMatch = { source: 'browser-cache', exchangeId: 3, passed: true }

    const verdict = judge('PUT', origin, { preflight })

    expect(verdict.outcome).toBe('allowed')
    expect(verdict.preflight).toEqual({ needed: true, source: 'browser-cache', exchangeId: 3 })
  })
})

describe('judgePreflight', () => {
  it('explains a lower-case method and how to write it', () => {
    const request = readCorsRequest('OPTIONS', [
      'Origin', 'https://app.example.com',
      'Access-Control-Request-Method', 'patch',
    ]) // prettier-ignore
    const config = corsConfig()

    const verdict = judgePreflight(request, config, decidePreflight(request, config))

    expect(verdict.blocking?.rule).toBe('preflight-failed')
    expect(verdict.blocking?.detail).toMatch(/case-sensitively.*patch.*PATCH/)
    expect(verdict.blocking?.fix).toMatch(/PATCH/)
  })

  it('allows a passing preflight', () => {
    const request = readCorsRequest('OPTIONS', [
      'Origin', 'http://localhost:5173',
      'Access-Control-Request-Method', 'DELETE',
    ]) // prettier-ignore
    const config = corsConfig()

    const verdict = judgePreflight(request, config, decidePreflight(request, config))

    expect(verdict).toEqual({ outcome: 'allowed', warnings: [] })
  })
})

describe('judgeActualRequest without CORS headers applied', () => {
  it('does not blame the allowlist for a listed origin', () => {
    const config = corsConfig()
    const request = readCorsRequest('GET', ['Origin', 'http://localhost:5173'])

    const verdict = judgeActualRequest({ request, config, responseHeaders: [['Vary', 'Origin']] })

    expect(verdict.blocking?.rule).toBe('origin-not-allowed')
    expect(verdict.blocking?.detail).toMatch(/is in the allowlist.*no Access-Control-Allow-Origin/)
  })
})
