/**
 * How well replays keep time and how fast they go: a recorded session replayed through a real
 * gateway at its original timing, measuring how late each request leaves against its schedule,
 * then as fast as possible, measuring requests a second. Run from a test runner or any
 * TypeScript-aware loader; the figures vary with the machine, so nothing here asserts on them.
 */

import { silentLogger } from '../../../electron/core/logger'
import { replayTraffic, type ReplayResult } from '../../../electron/core/replay'
import { createTollgate, type Tollgate } from '../../../electron/core/tollgate'
import { startServer } from '../../support/servers'

export interface ReplayPacingFigures {
  requests: number
  /** How late requests left at the original timing, in ms. */
  lateness: { p50: number; p99: number; max: number }
  /** The recording's span and how long the paced replay took, in seconds. */
  recordedSeconds: number
  pacedSeconds: number
  /** Requests a second with `fastest` pacing, and how many that run sent. */
  fastest: { requests: number; requestsPerSecond: number; concurrency: number }
  /** The target this bench checks: p99 lateness within 10 ms. */
  withinTarget: boolean
}

export interface ReplayBenchOptions {
  /** Requests in the paced run. Default 2000. */
  pacedRequests?: number
  /** Mean gap between recorded requests, in ms; gaps vary from 0 to twice this. Default 5. */
  meanGapMs?: number
  /** Requests in the fastest run. Default 20 000. */
  fastestRequests?: number
  concurrency?: number
}

const TARGET_P99_MS = 10

/**
 * Replays a generated session at its original timing and then as fast as possible through a
 * gateway in this process, in front of an upstream that answers at once.
 */
export async function benchReplayPacing(
  options: ReplayBenchOptions = {},
): Promise<ReplayPacingFigures> {
  const pacedRequests = options.pacedRequests ?? 2000
  const meanGapMs = options.meanGapMs ?? 5
  const fastestRequests = options.fastestRequests ?? 20_000
  const concurrency = options.concurrency ?? 32

  const upstream = await startServer((_req, res) => res.end('{"ok":true}'))
  const tollgate = await createTollgate({
    upstream: upstream.url,
    listen: { host: '127.0.0.1', port: 0 },
    db: ':memory:',
    logger: silentLogger,
    rateLimit: { limit: 1_000_000 },
  })

  try {
    // Irregular gaps, bursts of equal timestamps included, as real traffic has.
    let t = Date.now()
    for (let i = 0; i < pacedRequests; i++) {
      recordExchange(tollgate, 'paced', t, i)
      t += i % 10 === 0 ? 0 : Math.floor(Math.random() * meanGapMs * 2)
    }
    for (let i = 0; i < fastestRequests; i++) recordExchange(tollgate, 'fastest', t, i)

    const paced = await replayTraffic(tollgate, { session: 'paced' }, { concurrency })
    const fastest = await replayTraffic(
      tollgate,
      { session: 'fastest' },
      { pacing: { mode: 'fastest' }, concurrency },
    )

    const lateness = paced.lateness ?? { p50: NaN, p99: NaN, max: NaN }
    return {
      requests: paced.totals.requests,
      lateness,
      recordedSeconds: spanOf(paced) / 1000,
      pacedSeconds: paced.durationMs / 1000,
      fastest: {
        requests: fastest.totals.requests,
        requestsPerSecond: Math.round(fastest.totals.requests / (fastest.durationMs / 1000)),
        concurrency,
      },
      withinTarget: lateness.p99 <= TARGET_P99_MS,
    }
  } finally {
    await tollgate.close()
    await upstream.close()
  }
}

function recordExchange(tollgate: Tollgate, session: string, startedAt: number, index: number) {
  tollgate.store.record({
    id: tollgate.store.nextId(),
    kind: 'http',
    startedAt,
    method: 'GET',
    url: `/items/${index % 100}`,
    httpVersion: '1.1',
    status: 200,
    clientAddress: '127.0.0.1',
    requestHeaders: [
      ['Host', 'api.example.com'],
      ['Authorization', `Bearer sk_test_${String(index % 10).padStart(8, '0')}`],
      ['Accept', 'application/json'],
    ],
    requestBody: new Uint8Array(0),
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBody: new Uint8Array(0),
    responseBodySize: 0,
    responseBodyTruncated: false,
    session,
  })
}

/** The scheduled span of a paced run: when its last request was due. */
function spanOf(result: ReplayResult): number {
  return Math.max(0, ...result.requests.map((request) => request.dueMs ?? 0))
}
