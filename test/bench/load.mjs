/**
 * The load generator, alone in its process. Two modes, each printing one JSON result line:
 *
 *   node load.mjs autocannon <url> <connections> <warmupS> <measureS>
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
  const [url, ...numbers] = args
  printMessage(await runAutocannon(url, ...numbers.map(Number)))
} else {
  const [warmupSeconds, sliceSeconds, rounds, ...targets] = args
  const namedUrls = targets.map((target) => target.split('='))
  printMessage(await runSequential(+warmupSeconds, +sliceSeconds, +rounds, namedUrls))
}
process.disconnect?.()

async function runAutocannon(url, connections, warmupSeconds, measureSeconds) {
  // autocannon writes `Connection: keep-alive` itself; every other field goes through as is.
  const headers = Object.fromEntries(
    listBrowserHeaders(new URL(url).host).filter(([name]) => name !== 'Connection'),
  )
  const options = { url: url + REQUEST_PATH, connections, headers, pipelining: 1 }

  const warmup = await autocannon({ ...options, duration: warmupSeconds })
  const measured = await autocannon({ ...options, duration: measureSeconds })

  return {
    connections,
    requestsPerSecond: measured.requests.total / measured.duration,
    p50Ms: measured.latency.p50,
    p99Ms: measured.latency.p99,
    // Both runs count toward the proxy's log: answered responses, and requests written.
    answered: warmup.requests.total + measured.requests.total,
    sent: warmup.requests.sent + measured.requests.sent,
    errors: warmup.errors + measured.errors + warmup.timeouts + measured.timeouts,
    non2xx: warmup.non2xx + measured.non2xx,
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

  // Short slices in turn, so drift in the machine's load falls on every target alike.
  for (let round = 0; round < rounds; round++) {
    for (const client of clients) await sendFor(client, sliceSeconds, true)
  }

  return Object.fromEntries(
    clients.map((client) => {
      client.agent.destroy()
      const timings = client.timings.sort((a, b) => a - b)
      const result = {
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
