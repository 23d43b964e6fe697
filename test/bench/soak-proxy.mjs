/**
 * Tollgate for the soak, alone in its process: `node --expose-gc soak-proxy.mjs <upstream> [s]`,
 * which ends itself after `s` seconds (default 600) whatever it is doing.
 * Logging and the control API on, as a user runs it with the UI open. Prints
 * `{ url, controlUrl, token }` once listening; answers each `{ type: 'sample' }` order with its
 * memory and log state; on stop prints the rows in its log, grouped by status and error.
 */

import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { endWithParent, printMessage } from './bench-process.mjs'
import { PAGE_ORIGIN } from './browser-headers.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const [upstream, deadlineS] = process.argv.slice(2)

if (!upstream || typeof globalThis.gc !== 'function') {
  process.stderr.write('usage: node --expose-gc soak-proxy.mjs <upstream url> [deadline s]\n')
  process.exit(1)
}

// Sockets Tollgate's keep-alive agent opens to the upstream: more than it keeps means churn.
let upstreamOpened = 0
const createConnection = http.Agent.prototype.createConnection
http.Agent.prototype.createConnection = function countConnection(...args) {
  upstreamOpened++
  return createConnection.apply(this, args)
}

const { createTollgate, silentLogger } = await import('../../out/main/lib.js')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-soak-'))
const db = path.join(dir, 'traffic.db')
const tollgate = await createTollgate({
  upstream,
  listen: { host: '127.0.0.1', port: 0 },
  db,
  rateLimit: { limit: 1e9 },
  cors: { allowedOrigins: [PAGE_ORIGIN] },
  // Every row is kept, so the rows can be checked against the answers the load counted.
  retention: { maxRows: 0 },
  control: { rendererDir: path.join(root, 'out/renderer') },
  logger: silentLogger,
})

process.on('message', async (message) => {
  if (message?.type !== 'sample') return
  if (message.gc) await collectGarbage()
  printMessage({
    memory: process.memoryUsage(),
    // Every thread of the process: the proxy's and the log writer's.
    cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
    store: tollgate.store.status(),
    upstreamOpened,
    rows: message.count ? tollgate.store.count() : undefined,
  })
})

endWithParent(
  async () => {
    // Clients have gone by now; give aborted exchanges a moment to reach the log.
    await new Promise((resolve) => setTimeout(resolve, 250))
    tollgate.store.flush()
    const store = tollgate.store.status()
    await tollgate.close()
    printMessage({ ...countRows(db), store })
    fs.rmSync(dir, { recursive: true, force: true })
  },
  Number(deadlineS ?? 600) * 1000,
)

printMessage({ url: tollgate.url, controlUrl: tollgate.control.url, token: tollgate.control.token })

/** Two full collections a moment apart: the first lets finalizers run, the second reclaims. */
async function collectGarbage() {
  globalThis.gc()
  await new Promise((resolve) => setTimeout(resolve, 100))
  globalThis.gc()
}

/** Every row in the closed log, and how many ended in each status and error. */
function countRows(file) {
  const reader = new Database(file, { readonly: true })
  try {
    const outcomes = reader
      .prepare(
        'SELECT status, error_code AS errorCode, count(*) AS rows FROM exchanges ' +
          'GROUP BY status, error_code ORDER BY rows DESC',
      )
      .all()
    return { rows: outcomes.reduce((sum, outcome) => sum + outcome.rows, 0), outcomes }
  } finally {
    reader.close()
  }
}
