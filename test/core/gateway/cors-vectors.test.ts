import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createManualClock } from '../../../electron/core/clock'
import { rawValues, send, startServer, startTollgate } from '../../support/servers'
import { loadCorsVectors, toRawHeaders, type CorsVector } from '../cors-vectors'

type Running = Awaited<ReturnType<typeof startTollgate>>

const KEY_HEADER = 'X-API-Key'

// Comparison rules from the fixture's conventions, keyed by lower-case header name.
const TOKEN_SUPERSET = new Set(['vary', 'access-control-expose-headers'])
const TOKEN_SET_EQUAL_CASELESS = new Set(['access-control-allow-headers'])
const TOKEN_SET_EQUAL = new Set(['access-control-allow-methods'])

const PLACEHOLDERS: Record<string, (value: string) => boolean> = {
  '<unix-seconds>': (value) => /^\d+$/.test(value),
  '<delta-seconds>': (value) => /^\d+$/.test(value) && Number(value) >= 1,
}

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

function tokensOf(values: string[], caseSensitive: boolean): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .map((token) => (caseSensitive ? token : token.toLowerCase()))
}

function expectHeader(rawHeaders: string[], name: string, expected: string): void {
  const values = rawValues(rawHeaders, name)
  const lower = name.toLowerCase()
  expect(values, `${name} present`).not.toHaveLength(0)

  if (TOKEN_SUPERSET.has(lower)) {
    const actual = tokensOf(values, false)
    for (const token of tokensOf([expected], false)) expect(actual, name).toContain(token)
  } else if (TOKEN_SET_EQUAL_CASELESS.has(lower) || TOKEN_SET_EQUAL.has(lower)) {
    const caseSensitive = TOKEN_SET_EQUAL.has(lower)
    const actual = tokensOf(values, caseSensitive)
    expect(new Set(actual), name).toEqual(new Set(tokensOf([expected], caseSensitive)))
    expect(actual, `${name} without repeats`).toHaveLength(new Set(actual).size)
  } else if (PLACEHOLDERS[expected]) {
    expect(values, `${name} on one line`).toHaveLength(1)
    expect(PLACEHOLDERS[expected]!(values[0]!), `${name}: ${values[0]} is ${expected}`).toBe(true)
  } else {
    expect(values, name).toEqual([expected])
  }
}

/** An upstream answering with the vector's response, or 200 with no CORS headers. */
function upstreamFor(vector: CorsVector): http.RequestListener {
  const answer = vector.request.upstreamResponse
  return (req, res) => {
    req.resume()
    res.writeHead(answer?.status ?? 200, toRawHeaders(answer?.headers ?? {}))
    res.end()
  }
}

/**
 * Brings the named buckets to their limit before the vector's request. Preconditions are prose
 * in the fixture; one this does not understand fails the test rather than being skipped.
 */
async function satisfyPrecondition(tollgate: Running, vector: CorsVector): Promise<void> {
  const precondition = vector.request.precondition
  if (precondition === undefined) return

  const key = vector.request.headers[KEY_HEADER]
  const buckets: string[][] = []
  if (typeof key === 'string' && precondition.includes(`key ${key}`))
    buckets.push([KEY_HEADER, key])
  if (precondition.includes('keyless bucket')) buckets.push([])
  if (buckets.length === 0) throw new Error(`precondition not understood: "${precondition}"`)

  const { limit } = tollgate.config().rateLimit
  for (const headers of buckets) {
    let last
    for (let i = 0; i < limit; i++) last = await send(tollgate.url, { path: '/fill', headers })
    expect(rawValues(last!.rawHeaders, 'X-RateLimit-Remaining'), 'bucket exhausted').toEqual(['0'])
  }
}

function hasOrigin(vector: CorsVector): boolean {
  const origin = rawValues(toRawHeaders(vector.request.headers), 'Origin')
  return origin.some((value) => value.trim() !== '')
}

describe('CORS vectors over real sockets', () => {
  for (const vector of loadCorsVectors()) {
    it(`${vector.id}: ${vector.description}`, async () => {
      const upstream = await startServer(upstreamFor(vector))
      cleanups.push(upstream.close)
      const tollgate = await startTollgate({
        upstream: upstream.url,
        clock: createManualClock(Date.UTC(2026, 0, 1)),
        cors: vector.config,
      })
      cleanups.push(tollgate.stop)
      await satisfyPrecondition(tollgate, vector)

      const response = await send(tollgate.url, {
        method: vector.request.method,
        path: '/resource',
        headers: toRawHeaders(vector.request.headers),
      })
      tollgate.store.flush()

      expect(response.status).toBe(vector.expect.status)
      for (const [name, value] of Object.entries(vector.expect.headers)) {
        expectHeader(response.rawHeaders, name, value)
      }
      for (const name of vector.expect.absentHeaders) {
        expect(rawValues(response.rawHeaders, name), `${name} absent`).toEqual([])
      }
      const row = tollgate.store.list({ limit: 1 }).items[0]!
      expect(row.method).toBe(vector.request.method)
      expect(row.url).toBe('/resource')
      const outcome = row.cors?.outcome
      const seen = outcome === 'not-cors' && !hasOrigin(vector) ? 'allowed' : outcome
      expect(seen, `verdict ${JSON.stringify(row.cors?.blocking)}`).toBe(
        vector.expect.browserOutcome,
      )
    })
  }
})
