/**
 * The UI bench's live traffic: a child that sends requests to the proxy at a steady rate, with a
 * mix of keys and origins so the table gets allowed, blocked and 429 rows. Takes the proxy URL
 * and the rate (requests a second); prints `{ sent, answered, failed, seconds }` once stopped.
 */

import http from 'node:http'
import { endWithParent, printMessage } from './bench-process.mjs'

const [target, rateArgument = '500'] = process.argv.slice(2)
const rate = Number(rateArgument)
const TICK_MS = 10
const KEYS = Array.from({ length: 10 }, (_, index) => `sk_test_bench_${index}_4d1f9a7c`)
const ORIGINS = ['http://localhost:3000', 'http://localhost:5173', undefined]

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })
const url = new URL(target)
const counts = { sent: 0, answered: 0, failed: 0 }
const startedAt = performance.now()

function sendOne(index) {
  const origin = ORIGINS[index % ORIGINS.length]
  const headers = { 'X-API-Key': KEYS[index % KEYS.length] }
  if (origin) headers.Origin = origin

  counts.sent++
  const request = http.request(
    { host: url.hostname, port: url.port, path: `/items/${index % 500}`, agent, headers },
    (response) => {
      response.resume()
      response.on('end', () => counts.answered++)
    },
  )
  request.on('error', () => counts.failed++)
  request.end()
}

// Paced by the clock rather than by the timer's count, so a late tick catches up.
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - startedAt) / 1000) * rate)
  while (counts.sent < due) sendOne(counts.sent)
}, TICK_MS)

printMessage({ started: true })

endWithParent(async () => {
  clearInterval(timer)
  const seconds = (performance.now() - startedAt) / 1000
  agent.destroy()
  printMessage({ ...counts, seconds })
})
