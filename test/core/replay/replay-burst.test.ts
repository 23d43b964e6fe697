import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashKey } from '../../../electron/core/api-key'
import {
  readPrediction,
  replayTraffic,
  runWhatIf,
  type RecordedRequest,
} from '../../../electron/core/replay'
import type { LoggedExchange } from '../../../electron/core/store'
import { maskKey } from '../../../shared/keys'
import { send, startTollgate } from '../../support/servers'
import { createFastClock, startRecordingUpstream } from './replay-helpers'

const BURST = 70
const REAL_SPACING_MS = 5
const KEY_HEADER = ['Authorization', 'Bearer burst-key-0001']

type Gateway = Awaited<ReturnType<typeof startTollgate>>

/** A gateway in front of a recording upstream, with a clock the test can move forward. */
async function startGateway(limit: number, windowMs: number) {
  const upstream = await startRecordingUpstream()
  const clock = createFastClock(1)
  const tollgate = await startTollgate({
    upstream: upstream.url,
    clock,
    rateLimit: { limit, windowMs },
  })
  return { upstream, clock, tollgate }
}

/** Sends `count` requests on one key, `spacingMs` apart, and reads them back oldest first. */
async function recordBurst(tollgate: Gateway, count: number, spacingMs: number) {
  for (let i = 0; i < count; i++) {
    await send(tollgate.url, { path: `/items/${i}`, headers: KEY_HEADER })
    await sleep(spacingMs)
  }
  tollgate.store.flush()
  const ids = tollgate.store.list({ limit: count }).items.map((item) => item.id)
  return ids.reverse().map((id) => tollgate.store.get(id)!)
}

/** The recorded requests with their offsets from the first divided by `speed`. */
function atSpeed(recorded: LoggedExchange[], speed: number): RecordedRequest[] {
  const first = recorded[0]!.startedAt
  return recorded.map((exchange) => ({
    ...exchange,
    startedAt: first + (exchange.startedAt - first) / speed,
  }))
}

/** What a "what if" run over the recording at `speed` predicts for each request. */
async function predictStatuses(tollgate: Gateway, recorded: LoggedExchange[], speed: number) {
  const run = await runWhatIf(atSpeed(recorded, speed), tollgate.config())
  return recorded.map((_, index) => readPrediction(run, index).status)
}

const limitedIndices = (statuses: (number | undefined)[]) =>
  statuses.flatMap((status, index) => (status === 429 ? [index] : []))

describe('replaying a recorded burst of 70 on one key after the limit drops to 60 a minute', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>
  let recorded: LoggedExchange[]

  beforeAll(async () => {
    gateway = await startGateway(1000, 60_000)
    recorded = await recordBurst(gateway.tollgate, BURST, REAL_SPACING_MS)
    gateway.tollgate.updateConfig({ rateLimit: { limit: 60, windowMs: 60_000 } })
  })

  afterAll(async () => {
    await gateway.tollgate.stop()
    await gateway.upstream.close()
  })

  it('records a burst the high limit let through whole', () => {
    expect(recorded).toHaveLength(BURST)
    expect(recorded.every((exchange) => exchange.status === 200)).toBe(true)
  })

  it.each([1, 10])(
    'refuses the last 10 at speed %i, as the sliding window and the "what if" run predict',
    async (speed) => {
      // The recording's own hits leave the window first, as they would an hour later.
      gateway.clock.jump(10 * 60_000)
      const ids = recorded.map((exchange) => exchange.id)

      const result = await replayTraffic(
        gateway.tollgate,
        { ids },
        { pacing: { mode: 'original', speed }, concurrency: 1 },
      )

      const statuses = result.requests.map((request) => request.status)
      expect(limitedIndices(statuses)).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69])
      expect(statuses).toEqual(await predictStatuses(gateway.tollgate, recorded, speed))
      expect(result.keys).toEqual([
        expect.objectContaining({
          bucket: `key ${hashKey('burst-key-0001')}`,
          keyMasked: maskKey('burst-key-0001'),
          requests: 70,
          succeeded: 60,
          limited: 10,
          failed: 0,
          changed: 10,
          changes: [{ from: 200, to: 429, count: 10 }],
        }),
      ])
    },
  )

  it('links every replayed row to the exchange it replays', async () => {
    gateway.clock.jump(10 * 60_000)
    const ids = recorded.slice(0, 5).map((exchange) => exchange.id)

    await replayTraffic(gateway.tollgate, { ids }, { pacing: { mode: 'fastest' } })
    gateway.tollgate.store.flush()

    const newest = gateway.tollgate.store.list({ limit: 5 }).items
    expect(newest.map((row) => row.replayOf).sort()).toEqual([...ids].sort())
    expect(recorded.every((exchange) => exchange.replayOf === undefined)).toBe(true)
  })
})

describe('replaying a spaced recording where the pace decides', () => {
  // 10 requests 200 ms apart never put more than 4 in an 800 ms window; at speed 10 they all fit.
  let gateway: Awaited<ReturnType<typeof startGateway>>
  let recorded: LoggedExchange[]

  beforeAll(async () => {
    gateway = await startGateway(1000, 800)
    recorded = await recordBurst(gateway.tollgate, 10, 200)
    gateway.tollgate.updateConfig({ rateLimit: { limit: 5, windowMs: 800 } })
  })

  afterAll(async () => {
    await gateway.tollgate.stop()
    await gateway.upstream.close()
  })

  it.each([
    [1, []],
    [10, [5, 6, 7, 8, 9]],
  ])('at speed %i refuses %j, as the "what if" run predicts', async (speed, expected) => {
    gateway.clock.jump(60_000)
    const ids = recorded.map((exchange) => exchange.id)

    const result = await replayTraffic(
      gateway.tollgate,
      { ids },
      { pacing: { mode: 'original', speed }, concurrency: 1 },
    )

    const statuses = result.requests.map((request) => request.status)
    expect(limitedIndices(statuses)).toEqual(expected)
    expect(statuses).toEqual(await predictStatuses(gateway.tollgate, recorded, speed))
  })
})
