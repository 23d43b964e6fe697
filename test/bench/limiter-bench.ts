/**
 * How fast the sliding-window limiter decides, and how much memory its buckets take. Run from a
 * test runner or any TypeScript-aware loader; pass `--expose-gc` for steadier heap figures.
 */

import { bucketFor, extractKey } from '../../electron/core/api-key'
import { SlidingWindowLimiter } from '../../electron/core/limiter'

export interface DecisionTiming {
  /** Active buckets the decisions were spread over, round-robin. */
  keys: number
  /** At least one window's worth, so allowed and refused phases both weigh in. */
  decisions: number
  nsPerDecision: number
  /** Share of the timed decisions that were let through. */
  allowedShare: number
}

export interface LimiterBenchReport {
  timings: DecisionTiming[]
  /** Extracting, hashing and naming the bucket of a request, which the proxy adds per request. */
  nsPerKeyLookup: number
  heap: {
    gcAvailable: boolean
    keys: number
    /** Heap growth with one request logged per key. */
    bytesPerKeyOneEntry: number
    /** Heap growth with a full log (the default 60 requests) per key. */
    bytesPerKeyFullLog: number
  }
}

const POLICY = { limit: 60, windowMs: 60_000 }
const START = 1_767_225_600_000

/** Each key sees about two requests a second: past the limit after 30 s, then half refused. */
function stepFor(keys: number): number {
  return 500 / keys
}

function bucketNames(keys: number): string[] {
  return Array.from({ length: keys }, (_, index) => `key ${index.toString(16).padStart(16, '0')}`)
}

function runDecisions(
  limiter: SlidingWindowLimiter,
  names: string[],
  count: number,
  clock: { now: number },
): number {
  const step = stepFor(names.length)
  let allowed = 0
  for (let index = 0; index < count; index++) {
    clock.now += step
    const bucket = names[index % names.length] as string
    if (limiter.consume(bucket, Math.floor(clock.now), POLICY).allowed) allowed++
  }
  return allowed
}

function timeDecisions(keys: number, decisions: number): DecisionTiming {
  const limiter = new SlidingWindowLimiter()
  const names = bucketNames(keys)
  const clock = { now: START }
  // Allow and refuse phases alternate over one window, so warm-up and timing each span one.
  const oneWindow = Math.ceil(POLICY.windowMs / stepFor(keys))

  runDecisions(limiter, names, Math.max(oneWindow, 200_000), clock)

  const timed = Math.max(oneWindow, decisions)
  const started = process.hrtime.bigint()
  const allowed = runDecisions(limiter, names, timed, clock)
  const elapsed = Number(process.hrtime.bigint() - started)

  return { keys, decisions: timed, nsPerDecision: elapsed / timed, allowedShare: allowed / timed }
}

function timeKeyLookup(requests: number): number {
  const rawHeaders = ['Host', '127.0.0.1:8787', 'Accept', '*/*', 'X-API-Key', '']
  let sink = 0

  const started = process.hrtime.bigint()
  for (let index = 0; index < requests; index++) {
    rawHeaders[5] = `sk_test_${index % 1000}`
    sink += bucketFor(extractKey(rawHeaders, ['Authorization', 'X-API-Key']), '::1').length
  }
  const elapsed = Number(process.hrtime.bigint() - started)

  return sink > 0 ? elapsed / requests : NaN
}

function heapUsed(): number {
  const collect = (globalThis as { gc?: () => void }).gc
  collect?.()
  return process.memoryUsage().heapUsed
}

function measureHeap(keys: number, entriesPerKey: number): number {
  const empty = heapUsed()

  // The names are counted: the limiter's map holds them as its keys.
  const names = bucketNames(keys)

  const limiter = new SlidingWindowLimiter()
  for (let entry = 0; entry < entriesPerKey; entry++) {
    for (const name of names) limiter.consume(name, START + entry * 100, POLICY)
  }
  const filled = heapUsed()

  // Keep the limiter reachable until the second reading.
  if (limiter.size !== keys) throw new Error(`expected ${keys} buckets, found ${limiter.size}`)
  return (filled - empty) / keys
}

/**
 * Times `consume` at 1, 1 000 and 100 000 active keys, each key seeing about two requests a
 * second under the default 60 per minute, after a warm-up of one full window so every log is
 * in steady state. Also measures heap per key at 100 000 keys.
 */
export async function benchLimiter(decisions = 500_000): Promise<LimiterBenchReport> {
  const timings = [1, 1_000, 100_000].map((keys) => timeDecisions(keys, decisions))
  const nsPerKeyLookup = timeKeyLookup(200_000)

  const heapKeys = 100_000
  return {
    timings,
    nsPerKeyLookup,
    heap: {
      gcAvailable: typeof (globalThis as { gc?: unknown }).gc === 'function',
      keys: heapKeys,
      bytesPerKeyOneEntry: measureHeap(heapKeys, 1),
      bytesPerKeyFullLog: measureHeap(heapKeys, POLICY.limit),
    },
  }
}
