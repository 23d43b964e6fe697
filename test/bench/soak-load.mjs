/**
 * The soak's load, alone in its process:
 *
 *   node soak-load.mjs <url> <connections> <requests per second> <seconds> [groups]
 *
 * Opens `connections` keep-alive sockets and sends the given rate over all of them together for
 * the given time, then prints one JSON line: what was sent and answered, latency, errors by kind.
 *
 * autocannon paces each connection by a one-second tick, and the ticks of one run all start
 * together, so a single run sends its whole second's budget in two waves a second. The load is
 * split into `groups` runs (default 10) started evenly across the first second, which spreads
 * the requests over the second the way independent clients would. `groups` 1 is one plain run.
 */

import net from 'node:net'
import autocannon from 'autocannon'
import { endWithParent, printMessage } from './bench-process.mjs'
import { listBrowserHeaders, REQUEST_PATH } from './browser-headers.mjs'

const [url, ...numbers] = process.argv.slice(2)
const [connections, rate, seconds, groups = 10] = numbers.map(Number)
endWithParent(async () => {}, (seconds + 60) * 1000)

// Every socket autocannon opens goes through net.connect: more than `connections` means some
// were closed and opened again.
let opened = 0
const connect = net.connect
net.connect = (...args) => {
  opened++
  return connect(...args)
}

// autocannon writes `Connection: keep-alive` itself; every other field goes through as is.
const headers = Object.fromEntries(
  listBrowserHeaders(new URL(url).host).filter(([field]) => field !== 'Connection'),
)
const errorKinds = {}
const answeredBySecond = []
let sent = 0
const startedAt = performance.now()

const share = (total, group) => Math.floor(total / groups) + (group < total % groups ? 1 : 0)
const runs = []
for (let group = 0; group < groups; group++) {
  const options = {
    url: url + REQUEST_PATH,
    connections: share(connections, group),
    overallRate: share(rate, group),
    duration: seconds,
    headers,
    pipelining: 1,
    timeout: 10,
    // With a rate set, autocannon back-fills latencies as if a request were due every
    // millisecond, which buries the real figures; these are the latencies as measured.
    ignoreCoordinatedOmission: true,
    // Raw results keep their latency histograms, so the groups can be merged.
    skipAggregateResult: true,
    // autocannon's own total counts `rate` first requests per connection where one is written;
    // counted here, it is exact, so answered and in-flight add up.
    setupClient: (client) => client.on('request', () => sent++),
  }
  const run = autocannon(options)
  run.on('reqError', (error) => {
    const kind = error.code ?? (error.message === 'request timed out' ? 'TIMEOUT' : error.message)
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1
  })
  run.on('response', () => {
    const second = Math.floor((performance.now() - startedAt) / 1000)
    answeredBySecond[second] = (answeredBySecond[second] ?? 0) + 1
  })
  runs.push(run.then((result) => ({ options, result })))
  await new Promise((resolve) => setTimeout(resolve, 1000 / groups))
}

const finished = await Promise.all(runs)
const results = finished.map(({ result }) => result)
const merged = autocannon.aggregateResult(results, finished[0].options)
const total = (field) => results.reduce((sum, result) => sum + result[field], 0)
const answered = total('totalCompletedRequests')
const durationS = (performance.now() - startedAt) / 1000
// Each group kept its own share of the rate for its own duration; the groups' rates add up.
const requestsPerSecond = results.reduce(
  (sum, result) => sum + result.totalCompletedRequests / result.duration,
  0,
)

// The first and last seconds are partial (connecting, winding down); the rest show any sag.
const fullSeconds = [...answeredBySecond].slice(1, Math.floor(durationS) - 1).map((n) => n ?? 0)
printMessage({
  connections,
  rate,
  groups,
  durationS,
  opened,
  sent,
  answered,
  requestsPerSecond,
  perSecond: fullSeconds.length
    ? {
        min: Math.min(...fullSeconds),
        mean: fullSeconds.reduce((sum, n) => sum + n, 0) / fullSeconds.length,
        max: Math.max(...fullSeconds),
      }
    : undefined,
  answeredBySecond: answeredBySecond.map((n) => n ?? 0),
  latencyMs: {
    p50: merged.latency.p50,
    p90: merged.latency.p90,
    p99: merged.latency.p99,
    max: merged.latency.max,
  },
  errors: merged.errors,
  timeouts: merged.timeouts,
  errorKinds,
  non2xx: merged.non2xx,
  statusCodes: Object.fromEntries(
    Object.entries(merged.statusCodeStats).map(([code, { count }]) => [code, count]),
  ),
})
process.disconnect?.()
