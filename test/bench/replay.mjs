/**
 * The replay bench: a recorded session replayed through a real Tollgate at its original timing,
 * measuring how late each request leaves against its schedule, then as fast as possible at
 * concurrency 32. Tollgate runs in this process, as it does when the app replays; the upstream
 * has its own. Baselines, each sending the same requests through the same gateway: for timing,
 * a plain `setTimeout` per request; for speed, a bare client of 32 request loops, taking turns
 * with the replay. Prints one JSON line.
 *
 *   node test/bench/replay.mjs       (after a build; run.mjs runs it)
 *
 * BENCH_REPLAY_PACED, BENCH_REPLAY_FASTEST and BENCH_REPLAY_ROUNDS shorten it.
 */

import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { createTollgate, replayTraffic, silentLogger } from '../../out/main/lib.js'
import { endWithParent, printMessage, startChild } from './bench-process.mjs'
import { listBrowserHeaders } from './browser-headers.mjs'
import { createRandom } from './seeded-random.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const PACED = Number(process.env.BENCH_REPLAY_PACED ?? 2_000)
const FASTEST = Number(process.env.BENCH_REPLAY_FASTEST ?? 10_000)
const ROUNDS = Math.max(1, Number(process.env.BENCH_REPLAY_ROUNDS ?? 2))
const CONCURRENCY = 32
const MAX_GAP_MS = 10
// Headers a replay leaves out or replaces, as the gateway's own requests do.
const RECORDED_HEADERS = listBrowserHeaders('api.example.com').filter(
  ([name]) => name !== 'Connection',
)

endWithParent()
const cleanups = []
let result
try {
  result = await measureReplay()
} finally {
  while (cleanups.length > 0) await cleanups.pop()()
}
// Only now: the parent stops this process as soon as it has the result.
printMessage(result)
process.disconnect?.()

async function measureReplay() {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-replay-bench-'))
  cleanups.push(() => fs.rmSync(temp, { recursive: true, force: true }))
  const upstream = startChild(path.join(here, 'upstream.mjs'))
  cleanups.push(() => upstream.stop())
  const { url: upstreamUrl } = await upstream.nextMessage()

  const tollgate = await createTollgate({
    upstream: upstreamUrl,
    listen: { host: '127.0.0.1', port: 0 },
    db: path.join(temp, 'traffic.db'),
    rateLimit: { limit: 1e9 },
    retention: { maxRows: 0 },
    logger: silentLogger,
  })
  cleanups.push(() => tollgate.close())

  // Gaps of 0 to 10 ms, drawn the same way every run; bursts of equal starts come with the 0s.
  const random = createRandom(11)
  const schedule = []
  let startedAt = Date.now() - 3_600_000
  for (let index = 0; index < PACED; index++) {
    schedule.push(startedAt)
    startedAt += Math.floor(random() * (MAX_GAP_MS + 1))
  }
  schedule.forEach((at, index) => recordExchange(tollgate.store, 'paced', at, index))
  for (let index = 0; index < FASTEST; index++) {
    recordExchange(tollgate.store, 'fastest', startedAt, index)
  }
  tollgate.store.flush()

  process.stderr.write(`bench: replay of ${PACED} requests at the recorded timing\n`)
  const paced = await replayTraffic(tollgate, { session: 'paced' }, { concurrency: CONCURRENCY })
  process.stderr.write('bench: the same schedule sent on plain timers\n')
  const timers = await sendOnTimers(tollgate.url, schedule)

  const replayRates = []
  const clientRates = []
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`bench: replay as fast as possible, round ${round + 1} of ${ROUNDS}\n`)
    const fastest = await replayTraffic(
      tollgate,
      { session: 'fastest' },
      { pacing: { mode: 'fastest' }, concurrency: CONCURRENCY },
    )
    replayRates.push(fastest.totals.requests / (fastest.durationMs / 1000))
    clientRates.push(await sendAtOnce(tollgate.url, FASTEST))
  }

  const failed = paced.requests.filter((request) => request.failure).length
  return {
    paced: {
      requests: paced.totals.requests,
      failed,
      recordedSeconds: (schedule.at(-1) - schedule[0]) / 1000,
      replaySeconds: paced.durationMs / 1000,
      lateness: paced.lateness,
      timerLateness: timers,
    },
    fastest: {
      requests: FASTEST,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      requestsPerSecond: Math.max(...replayRates),
      clientRequestsPerSecond: Math.max(...clientRates),
      ratio: Math.max(...replayRates) / Math.max(...clientRates),
    },
  }
}

/** The baseline scheduler: one timer per request, set for its due time, nothing more. */
async function sendOnTimers(gatewayUrl, schedule) {
  const target = gatewayRequest(gatewayUrl)
  const runStart = performance.now()
  const late = await Promise.all(
    schedule.map(
      (at, index) =>
        new Promise((resolve) => {
          const due = at - schedule[0]
          setTimeout(() => {
            const lateness = Math.max(0, performance.now() - runStart - due)
            target.send(index).then(() => resolve(lateness))
          }, due)
        }),
    ),
  )
  target.agent.destroy()
  return percentiles(late.sort((a, b) => a - b))
}

/** The baseline client: 32 loops sending one request after another; resolves with requests/s. */
async function sendAtOnce(gatewayUrl, count) {
  const target = gatewayRequest(gatewayUrl)
  let next = 0
  const started = performance.now()
  const loop = async () => {
    while (next < count) await target.send(next++)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, loop))
  const seconds = (performance.now() - started) / 1000
  target.agent.destroy()
  return count / seconds
}

/** Sends a recorded request straight to the gateway, as a replay does, over pooled sockets. */
function gatewayRequest(gatewayUrl) {
  const { hostname, port, host } = new URL(gatewayUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const headers = RECORDED_HEADERS.flatMap(([name, value]) =>
    name === 'Host' ? [name, host] : [name, value],
  )
  const send = (index) =>
    new Promise((resolve) => {
      const options = { hostname, port, path: `/v1/items/${index % 100}`, headers, agent }
      const request = http.get(options, (response) => {
        response.resume()
        response.on('end', resolve)
      })
      request.on('error', resolve)
    })
  return { agent, send }
}

function recordExchange(store, session, startedAt, index) {
  store.record({
    id: store.nextId(),
    kind: 'http',
    startedAt,
    method: 'GET',
    url: `/v1/items/${index % 100}`,
    httpVersion: '1.1',
    status: 200,
    clientAddress: '127.0.0.1',
    requestHeaders: RECORDED_HEADERS,
    requestBody: new Uint8Array(0),
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBody: new Uint8Array(0),
    responseBodySize: 0,
    responseBodyTruncated: false,
    session,
  })
}

/** As the replay reports lateness: the value at or above each share of the sorted list. */
function percentiles(sorted) {
  const at = (share) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) }
}
