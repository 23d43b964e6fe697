/**
 * The load generator, alone in its process. Both modes take several targets and let them take
 * turns in short slices after one warm-up each, so drift in the machine's load (other work on
 * the same two cores) falls on every target alike. Prints one JSON line: results by target name.
 *
 *   node load.mjs autocannon <connections> <warmupS> <sliceS> <rounds> <name>=<url>...
 *   node load.mjs sequential <warmupS> <sliceS> <rounds> <name>=<url>...
 *
 * `sequential` sends one request at a time over one keep-alive socket per target and times each
 * with `process.hrtime.bigint()`: autocannon rounds latency to whole milliseconds, too coarse for
 * what one proxy adds to a single request.
 */

import http from 'node:http'
import autocannon from 'autocannon'
import { endWithParent, printMessage } from './bench-process.mjs'
import { listBrowserHeaders, REQUEST_PATH } from './browser-headers.mjs'

const [mode, ...args] = process.argv.slice(2)
endWithParent()

if (mode === 'autocannon') {
  const [connections, warmupS, sliceS, rounds, ...targets] = args
  const named = targets.map((target) => target.split('='))
  printMessage(await runAutocannon(+connections, +warmupS, +sliceS, +rounds, named))
} else {
  const [warmupS, sliceS, rounds, ...targets] = args
  const named = targets.map((target) => target.split('='))
  printMessage(await runSequential(+warmupS, +sliceS, +rounds, named))
}
process.disconnect?.()

async function runAutocannon(connections, warmupSeconds, sliceSeconds, rounds, targets) {
  const runs = targets.map(([name, url]) => {
    // autocannon writes `Connection: keep-alive` itself; every other field goes through as is.
    const headers = Object.fromEntries(
      listBrowserHeaders(new URL(url).host).filter(([field]) => field !== 'Connection'),
    )
    const options = { url: url + REQUEST_PATH, connections, headers, pipelining: 1 }
    return { name, options, warmup: undefined, slices: [] }
  })
  // Raw results keep their latency histograms, so the slices can be merged afterwards.
  const start = (run, duration) =>
    autocannon({ ...run.options, duration, skipAggregateResult: true })

  for (const run of runs) run.warmup = await start(run, warmupSeconds)
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) run.slices.push(await start(run, sliceSeconds))
  }

  return Object.fromEntries(runs.map((run) => [run.name, summarizeSlices(run)]))
}

function summarizeSlices({ options, warmup, slices }) {
  const merged = autocannon.aggregateResult(slices, options)
  const sum = (results, field) => results.reduce((total, result) => total + result[field], 0)
  const everything = [warmup, ...slices]

  return {
    connections: options.connections,
    requestsPerSecond: sum(slices, 'totalCompletedRequests') / sum(slices, 'duration'),
    p50Ms: merged.latency.p50,
    p99Ms: merged.latency.p99,
    // The warm-up counts toward the proxy's log too: answered responses, and requests written.
    answered: sum(everything, 'totalCompletedRequests'),
    sent: sum(everything, 'totalRequests'),
    errors: sum(everything, 'errors') + sum(everything, 'timeouts'),
    non2xx: sum(everything, 'non2xx'),
  }
}

async function runSequential(warmupSeconds, sliceSeconds, rounds, targets) {
  const clients = targets.map(([name, url]) => ({
    name,
    target: new URL(REQUEST_PATH, url),
    headers: Object.fromEntries(listBrowserHeaders(new URL(url).host)),
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    timings: [],
    measuredNs: 0n,
    answered: 0,
    errors: 0,
  }))

  for (const client of clients) await sendFor(client, warmupSeconds, false)
  for (let round = 0; round < rounds; round++) {
    for (const client of clients) await sendFor(client, sliceSeconds, true)
  }

  return Object.fromEntries(
    clients.map((client) => {
      client.agent.destroy()
      const timings = client.timings.sort((a, b) => a - b)
      const result = {
        connections: 1,
        requestsPerSecond: timings.length / (Number(client.measuredNs) / 1e9),
        p50Us: percentile(timings, 0.5),
        p99Us: percentile(timings, 0.99),
        answered: client.answered,
        sent: client.answered + client.errors,
        errors: client.errors,
      }
      return [client.name, result]
    }),
  )
}

/** Sends one request after another to one target for `seconds`, timing each when `timed`. */
async function sendFor(client, seconds, timed) {
  const started = process.hrtime.bigint()
  const end = started + BigInt(Math.round(seconds * 1e9))
  let now = started
  while (now < end) {
    const status = await sendOne(client.target, client.headers, client.agent)
    const after = process.hrtime.bigint()
    if (timed) client.timings.push(Number(after - now) / 1000)
    if (status === 200) client.answered++
    else client.errors++
    now = after
  }
  if (timed) client.measuredNs += now - started
}

/** Resolves with the status once the whole response body has arrived. */
function sendOne(target, headers, agent) {
  return new Promise((resolve) => {
    const req = http.get(target, { headers, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', () => resolve(0))
  })
}

function percentile(sorted, share) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]
}
