/**
 * The "what if" bench: a million generated requests run offline through `runWhatIf` under the
 * default policy, with requests a second and peak memory. The baseline, run in turns with it,
 * reads the same requests and makes only the limiter's decisions (and its sweeps), so the ratio
 * shows what key extraction, CORS and the prediction columns add. Prints one JSON line.
 *
 *   node --expose-gc test/bench/what-if.mjs      (after a build; run.mjs runs it)
 *
 * BENCH_WHATIF_REQUESTS and BENCH_WHATIF_ROUNDS shorten it.
 */

import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { defaultConfig, runWhatIf, SlidingWindowLimiter } from '../../out/main/lib.js'
import { printMessage } from './bench-process.mjs'
import { createRandom } from './seeded-random.mjs'

const REQUESTS = Number(process.env.BENCH_WHATIF_REQUESTS ?? 1_000_000)
const ROUNDS = Math.max(1, Number(process.env.BENCH_WHATIF_ROUNDS ?? 3))
const START = 1_767_225_600_000
const KEYS = 1_000
const ADDRESSES = 20
// Request shapes repeat with this period; long enough that no key falls into a fixed rhythm.
const SHAPES = 20_000
// As runWhatIf does by default, so both sides hand the event loop back equally often.
const YIELD_EVERY = 20_000
const SWEEP_EVERY_MS = 60_000
const ALLOWED_ORIGIN = 'http://localhost:3000'
const OTHER_ORIGIN = 'http://localhost:5173'

const config = defaultConfig(':memory:')
config.cors = { ...config.cors, allowedOrigins: [ALLOWED_ORIGIN] }
const POLICY = { limit: config.rateLimit.limit, windowMs: config.rateLimit.windowMs }

/**
 * The repeating shapes: one request in ten keyless (charged to one of 20 addresses), half with
 * an Origin (one in ten of those not allowed), and one in twenty a preflight followed by the PUT
 * it announced. `bucket` is the name the baseline charges, one per key or address.
 */
function makeShapes() {
  const random = createRandom(7)
  const shapes = []
  while (shapes.length < SHAPES) {
    const keyed = random() >= 0.1
    const key = Math.floor(random() * KEYS)
    const address = `10.0.0.${Math.floor(random() * ADDRESSES)}`
    const headers = [['Host', 'localhost:8787']]
    if (keyed) headers.push(['Authorization', `Bearer sk_test_${String(key).padStart(8, '0')}`])
    headers.push(['Accept', 'application/json'])
    const bucket = keyed ? `key ${key}` : `anonymous ${address}`
    const url = `/v1/items/${Math.floor(random() * 500)}`

    if (random() < 0.05) {
      const origin = random() < 0.9 ? ALLOWED_ORIGIN : OTHER_ORIGIN
      const preflightHeaders = [
        ['Host', 'localhost:8787'],
        ['Origin', origin],
        ['Access-Control-Request-Method', 'PUT'],
        ['Access-Control-Request-Headers', 'authorization,content-type'],
      ]
      shapes.push({ method: 'OPTIONS', url, headers: preflightHeaders, address, preflight: true })
      const actual = [...headers, ['Origin', origin], ['Content-Type', 'application/json']]
      shapes.push({ method: 'PUT', url, headers: actual, address, bucket, preflight: false })
      continue
    }
    if (random() < 0.5) headers.push(['Origin', random() < 0.9 ? ALLOWED_ORIGIN : OTHER_ORIGIN])
    shapes.push({ method: 'GET', url, headers, address, bucket, preflight: false })
  }
  return shapes.slice(0, SHAPES)
}

const shapes = makeShapes()

/**
 * Two requests a millisecond, so a key sees about two a second: past the default 60 a minute,
 * and about half of its requests are refused once its window fills.
 */
function* generateRequests(count) {
  for (let index = 0; index < count; index++) {
    const shape = shapes[index % SHAPES]
    yield {
      id: index + 1,
      method: shape.method,
      url: shape.url,
      requestHeaders: shape.headers,
      clientAddress: shape.address,
      startedAt: START + (index >> 1),
      status: 200,
    }
  }
}

async function runLimiterOnly(count) {
  const limiter = new SlidingWindowLimiter()
  let limited = 0
  let sinceYield = 0
  let lastSweep = -Infinity
  for (const request of generateRequests(count)) {
    const shape = shapes[(request.id - 1) % SHAPES]
    if (!shape.preflight) {
      const now = request.startedAt
      if (!limiter.consume(shape.bucket, now, POLICY).allowed) limited++
      // The run sweeps buckets on the same schedule, so both sides do the limiter's whole work.
      if (now - lastSweep >= SWEEP_EVERY_MS) {
        limiter.sweep(now)
        lastSweep = now
      }
    }
    if (++sinceYield >= YIELD_EVERY) {
      sinceYield = 0
      await yieldToEventLoop()
    }
  }
  return { count, limited }
}

async function runFullWhatIf(count) {
  const run = await runWhatIf(generateRequests(count), config, { yieldEvery: YIELD_EVERY })
  return { count: run.count, limited: run.totals.limited, totals: run.totals, keys: run.keys }
}

/** The JS heap plus array buffers, where the prediction columns live. */
function heldBytes(usage = process.memoryUsage()) {
  return usage.heapUsed + usage.arrayBuffers
}

/** Times `run`, sampling memory while it yields; the rise is over a collected heap. */
async function measure(run) {
  // Buffers of the run before are released after a collection, so collect, wait, collect again.
  globalThis.gc?.()
  await yieldToEventLoop()
  globalThis.gc?.()
  const startHeld = heldBytes()
  let peakRss = 0
  let peakHeld = 0
  const sample = () => {
    const usage = process.memoryUsage()
    peakRss = Math.max(peakRss, usage.rss)
    peakHeld = Math.max(peakHeld, heldBytes(usage))
  }
  const sampler = setInterval(sample, 10)

  const started = process.hrtime.bigint()
  const result = await run()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  sample()
  clearInterval(sampler)
  return {
    result,
    seconds,
    requestsPerSecond: result.count / seconds,
    peakRssBytes: peakRss,
    heldRiseBytes: Math.max(0, peakHeld - startHeld),
  }
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
}

// One short run of each first, so both are compiled before timing starts.
await runLimiterOnly(200_000)
await runFullWhatIf(200_000)

const baselines = []
const whatIfs = []
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`bench: what-if round ${round + 1} of ${ROUNDS}\n`)
  baselines.push(await measure(() => runLimiterOnly(REQUESTS)))
  whatIfs.push(await measure(() => runFullWhatIf(REQUESTS)))
}

const { totals, keys } = whatIfs[0].result
const baselineRate = median(baselines.map((run) => run.requestsPerSecond))
const whatIfRate = median(whatIfs.map((run) => run.requestsPerSecond))
printMessage({
  requests: REQUESTS,
  rounds: ROUNDS,
  buckets: keys.length,
  totals,
  // Both sides charge the same buckets at the same times, so they must refuse the same requests.
  limitedAgrees: baselines.every((run) => run.result.limited === totals.limited),
  whatIf: {
    requestsPerSecond: whatIfRate,
    seconds: median(whatIfs.map((run) => run.seconds)),
    peakRssBytes: Math.max(...whatIfs.map((run) => run.peakRssBytes)),
    heldRiseBytes: Math.max(...whatIfs.map((run) => run.heldRiseBytes)),
  },
  baseline: {
    requestsPerSecond: baselineRate,
    seconds: median(baselines.map((run) => run.seconds)),
    peakRssBytes: Math.max(...baselines.map((run) => run.peakRssBytes)),
    heldRiseBytes: Math.max(...baselines.map((run) => run.heldRiseBytes)),
  },
  ratio: whatIfRate / baselineRate,
})
process.disconnect?.()
