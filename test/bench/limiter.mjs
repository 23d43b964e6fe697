/**
 * The rate limiter alone: nanoseconds per decision at 1, 1 000 and 100 000 active keys, next to
 * a baseline that does the least any per-key log can do (one Map lookup and one array push), and
 * the heap the buckets take at 100 000 keys. Prints one JSON line.
 *
 *   node --expose-gc test/bench/limiter.mjs      (after a build; run.mjs does both)
 */

import { SlidingWindowLimiter } from '../../out/main/lib.js'
import { printMessage } from './bench-process.mjs'

/** Tollgate's default budget. */
const POLICY = { limit: 60, windowMs: 60_000 }
const START = 1_767_225_600_000
const KEY_COUNTS = [1, 1_000, 100_000]
const MIN_DECISIONS = 2_000_000
const ROUNDS = 3
const HEAP_KEYS = 100_000

/**
 * Every key sends one request a second, so each bucket sits exactly at its limit: every decision
 * drops one expired entry and records one, the steady state of a busy key. Decision `index`
 * happens at this time, in whole milliseconds like the proxy's clock.
 */
function timeOf(index, keys) {
  return START + Math.floor((index * 1000) / keys)
}

function makeBucketNames(keys) {
  return Array.from({ length: keys }, (_, index) => `key:${index.toString(16).padStart(16, '0')}`)
}

function runLimiter(limiter, names, from, count) {
  const keys = names.length
  let allowed = 0
  for (let index = from; index < from + count; index++) {
    const decision = limiter.consume(names[index % keys], timeOf(index, keys), POLICY)
    if (decision.allowed) allowed++
  }
  return allowed
}

function runBaseline(logs, names, from, count) {
  const keys = names.length
  let recorded = 0
  for (let index = from; index < from + count; index++) {
    const name = names[index % keys]
    let log = logs.get(name)
    if (log === undefined) logs.set(name, (log = []))
    recorded += log.push(timeOf(index, keys)) > 0 ? 1 : 0
  }
  return recorded
}

function timeNs(run) {
  const started = process.hrtime.bigint()
  const result = run()
  return { ns: Number(process.hrtime.bigint() - started), result }
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
}

function measureKeys(keys) {
  const names = makeBucketNames(keys)
  const decisions = Math.max(MIN_DECISIONS, POLICY.limit * keys)
  const limiter = new SlidingWindowLimiter()

  // One full window first, so every bucket holds its steady-state log before timing starts.
  let next = Math.max(POLICY.limit * keys, 200_000)
  runLimiter(limiter, names, 0, next)
  runBaseline(new Map(), names, 0, Math.min(decisions, 200_000))

  // Rounds alternate so both sides see the same background noise; the median is kept.
  const limiterNs = []
  const baselineNs = []
  let allowed = 0
  for (let round = 0; round < ROUNDS; round++) {
    baselineNs.push(timeNs(() => runBaseline(new Map(), names, 0, decisions)).ns / decisions)
    const timed = timeNs(() => runLimiter(limiter, names, next, decisions))
    limiterNs.push(timed.ns / decisions)
    allowed += timed.result
    next += decisions
  }

  const sweep = timeNs(() => limiter.sweep(timeOf(next, keys)))
  return {
    keys,
    decisions,
    limiterNs: median(limiterNs),
    baselineNs: median(baselineNs),
    ratio: median(limiterNs) / median(baselineNs),
    allowedShare: allowed / (decisions * ROUNDS),
    buckets: limiter.size,
    sweepMs: sweep.ns / 1e6,
    sweepEvicted: sweep.result,
  }
}

/** Heap growth of `build`, which must return what it built so it stays alive until measured. */
function measureHeap(build) {
  globalThis.gc()
  const before = process.memoryUsage().heapUsed
  const built = build()
  globalThis.gc()
  const bytes = process.memoryUsage().heapUsed - before
  return { bytes, held: built }
}

function measureHeapAtKeys(keys) {
  if (typeof globalThis.gc !== 'function') return { keys, gcAvailable: false }
  const names = makeBucketNames(keys)
  const oneWindow = POLICY.limit * keys

  const limiter = measureHeap(() => {
    const built = new SlidingWindowLimiter()
    runLimiter(built, names, 0, oneWindow)
    return built
  })
  const baseline = measureHeap(() => {
    const built = new Map()
    runBaseline(built, names, 0, oneWindow)
    return built
  })

  return {
    keys,
    gcAvailable: true,
    entriesPerKey: POLICY.limit,
    buckets: limiter.held.size,
    limiterBytes: limiter.bytes,
    baselineBytes: baseline.bytes,
    limiterBytesPerKey: limiter.bytes / keys,
    baselineBytesPerKey: baseline.bytes / keys,
  }
}

printMessage({
  policy: POLICY,
  timings: KEY_COUNTS.map(measureKeys),
  heap: measureHeapAtKeys(HEAP_KEYS),
})
process.disconnect?.()
