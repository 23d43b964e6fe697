import { describe, expect, it } from 'vitest'
import { hashKey } from '../../../electron/core/api-key'
import {
  compareWhatIf,
  readPrediction,
  readRemainingSeries,
  runWhatIf,
  type RecordedRequest,
} from '../../../electron/core/replay'
import { T0, limitedIndices, makeBurst, makeConfig, makeRequest } from './what-if-fixtures'

const ALLOWED = 'http://localhost:3000'

describe('runWhatIf: rate limit', () => {
  it('predicts exactly 10 429s for a burst of 70 requests on one key at 60 per minute', async () => {
    const burst = makeBurst(70, 100)

    const run = await runWhatIf(burst, makeConfig({ limit: 60, windowMs: 60_000 }))

    expect(limitedIndices(run.columns.status)).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69])
    expect(run.keys).toEqual([
      {
        bucket: `key ${hashKey('key-burst')}`,
        keyMasked: 'k…st',
        limit: 60,
        windowMs: 60_000,
        requests: 70,
        limited: 10,
        firstLimitedAt: T0 + 6_000,
      },
    ])
    expect(run.totals).toEqual({ requests: 70, preflights: 0, limited: 10, corsBlocked: 0 })
  })

  it('lets the 61st request through when the first has just left the window', async () => {
    const spaced = makeBurst(70, 1_000)

    const run = await runWhatIf(spaced, makeConfig({ limit: 60, windowMs: 60_000 }))

    expect(limitedIndices(run.columns.status)).toEqual([])
    expect(readPrediction(run, 60)).toMatchObject({ status: 200, remaining: 0 })
  })

  it('gives the Remaining series of a key, refusals included', async () => {
    const run = await runWhatIf(makeBurst(5, 10), makeConfig({ limit: 3, windowMs: 60_000 }))

    const series = readRemainingSeries(run, `key ${hashKey('key-burst')}`)

    expect(series.map((point) => [point.t - T0, point.remaining, point.limited])).toEqual([
      [0, 2, false],
      [10, 1, false],
      [20, 0, false],
      [30, 0, true],
      [40, 0, true],
    ])
    expect(readRemainingSeries(run, 'key nobody')).toEqual([])
  })

  it('applies per-key overrides and keeps keyless requests in one bucket per address', async () => {
    const requests = [
      ...makeBurst(3, 10, 'vip'),
      makeRequest(T0, undefined, { clientAddress: '::ffff:10.0.0.1' }),
      makeRequest(T0 + 1, undefined, { clientAddress: '10.0.0.1' }),
    ]
    const config = makeConfig({ limit: 1, windowMs: 60_000, perKey: { vip: { limit: 5 } } })

    const run = await runWhatIf(requests, config)

    expect(run.keys.map((key) => [key.bucket, key.limit, key.requests, key.limited])).toEqual([
      [`key ${hashKey('vip')}`, 5, 3, 0],
      ['anonymous 10.0.0.1', 1, 2, 1],
    ])
  })

  it('refuses nothing when the configuration only observes', async () => {
    const run = await runWhatIf(makeBurst(70, 10), makeConfig({ limit: 60, enforce: false }))

    expect(run.totals.limited).toBe(0)
    expect(readPrediction(run, 69).remaining).toBe(0)
  })

  it('leaves the status unknown for a recorded 429 that would now go through', async () => {
    const refused = makeRequest(T0, 'key-a', { status: 429, rateLimit: { allowed: false } })
    const fromUpstream = makeRequest(T0 + 1, 'key-a', { status: 429 })

    const run = await runWhatIf([refused, fromUpstream], makeConfig({ limit: 10 }))

    expect(readPrediction(run, 0).status).toBeUndefined()
    expect(readPrediction(run, 1).status).toBe(429)
    expect(readPrediction(run, 1).limited).toBe(false)
  })

  it('takes an async iterable and yields to the event loop along the way', async () => {
    async function* stream(): AsyncGenerator<RecordedRequest> {
      yield* makeBurst(70, 100)
    }

    const run = await runWhatIf(stream(), makeConfig({ limit: 60 }), { yieldEvery: 7 })

    expect(run.count).toBe(70)
    expect(run.totals.limited).toBe(10)
  })

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController()
    controller.abort(new Error('user cancelled'))

    const error = await runWhatIf(makeBurst(10, 1), makeConfig(), {
      signal: controller.signal,
    }).catch((e) => e)

    expect(error.message).toBe('user cancelled')
  })
})

describe('runWhatIf: CORS', () => {
  it('predicts blocked for a disallowed origin, still counted and forwarded', async () => {
    const requests = [
      makeRequest(T0, 'key-a', { headers: [['Origin', 'https://evil.example']] }),
      makeRequest(T0 + 1, 'key-a', { headers: [['Origin', ALLOWED]] }),
      makeRequest(T0 + 2, 'key-a'),
    ]

    const run = await runWhatIf(requests, makeConfig())

    expect(readPrediction(run, 0)).toMatchObject({
      status: 200,
      remaining: 59,
      cors: 'blocked',
      corsRule: 'origin-not-allowed',
    })
    expect(readPrediction(run, 1)).toMatchObject({ cors: 'allowed', remaining: 58 })
    expect(readPrediction(run, 2)).toMatchObject({ cors: 'not-cors', remaining: 57 })
    expect(run.totals.corsBlocked).toBe(1)
  })

  it('answers preflights 204 or 403 without counting them, and blocks what follows a failed one', async () => {
    const preflight = (t: number, headers: string) =>
      makeRequest(t, undefined, {
        method: 'OPTIONS',
        status: 204,
        headers: [
          ['Origin', ALLOWED],
          ['Access-Control-Request-Method', 'PUT'],
          ['Access-Control-Request-Headers', headers],
        ],
      })
    const put = (t: number, header: [string, string]) =>
      makeRequest(t, 'key-a', { method: 'PUT', headers: [['Origin', ALLOWED], header] })
    const requests = [
      preflight(T0, 'x-api-key'),
      put(T0 + 1, ['X-Trace', 'no']),
      preflight(T0 + 2, 'x-trace'),
      put(T0 + 3, ['X-Trace', 'yes']),
    ]

    const run = await runWhatIf(requests, makeConfig())

    expect(readPrediction(run, 0)).toMatchObject({ preflight: true, status: 204, cors: 'allowed' })
    expect(readPrediction(run, 0).remaining).toBeUndefined()
    expect(readPrediction(run, 2)).toMatchObject({ status: 403, cors: 'blocked' })
    expect(readPrediction(run, 3)).toMatchObject({
      remaining: 58,
      cors: 'blocked',
      corsRule: 'preflight-failed',
    })
    expect(run.totals).toMatchObject({ requests: 2, preflights: 2 })
  })
})

describe('compareWhatIf', () => {
  it('lists the requests whose outcome differs between limit 60 and limit 100', async () => {
    const burst = makeBurst(70, 100)

    const comparison = await compareWhatIf(
      burst,
      makeConfig({ limit: 60 }),
      makeConfig({ limit: 100 }),
    )

    expect(comparison.differences.map((difference) => difference.index)).toEqual([
      60, 61, 62, 63, 64, 65, 66, 67, 68, 69,
    ])
    expect(comparison.differences[0]).toMatchObject({
      id: 61,
      method: 'GET',
      url: '/items',
      startedAt: T0 + 6_000,
      a: { status: 429, limited: true, remaining: 0 },
      b: { status: 200, limited: false, remaining: 39 },
    })
    expect([comparison.a.totals.limited, comparison.b.totals.limited]).toEqual([10, 0])
  })

  it('lists requests whose CORS outcome differs when an origin is added', async () => {
    const requests = [
      makeRequest(T0, 'key-a', { headers: [['Origin', 'https://app.example']] }),
      makeRequest(T0 + 1, 'key-a', { headers: [['Origin', ALLOWED]] }),
    ]
    const wider = makeConfig({}, { allowedOrigins: [ALLOWED, 'https://app.example'] })

    const comparison = await compareWhatIf(requests, makeConfig(), wider)

    expect(comparison.differences).toHaveLength(1)
    expect(comparison.differences[0]).toMatchObject({
      index: 0,
      a: { cors: 'blocked' },
      b: { cors: 'allowed' },
    })
  })
})
