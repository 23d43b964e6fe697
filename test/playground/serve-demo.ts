/**
 * Starts a real Tollgate with its control API and UI in front of the demo upstream, sends some
 * demo traffic, and prints the UI's address: a playground for working on the UI. It is
 * TypeScript, so bundle it first:
 *
 *   npx electron-vite build
 *   npx rolldown test/playground/serve-demo.ts -p node -f esm -e better-sqlite3 -e ws \
 *     -e http-proxy -o node_modules/.cache/serve-demo.mjs
 *   node node_modules/.cache/serve-demo.mjs [--trickle] [--empty]
 *
 * `--trickle` keeps a request every two seconds going; `--empty` sends nothing at start.
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createTollgate } from '../../electron/core/tollgate'
import { silentLogger } from '../../electron/core/logger'
import { sendDemoRequest, sendDemoTraffic, startDemoUpstream } from './demo-traffic'

const upstream = await startDemoUpstream()
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-demo-'))
const tollgate = await createTollgate({
  listen: { host: '127.0.0.1', port: 0 },
  upstream: upstream.url,
  db: path.join(dir, 'traffic.db'),
  logger: silentLogger,
  control: { rendererDir: path.resolve('out/renderer') },
  rateLimit: { perKey: { sk_test_bob_88a1c0de5e21b7: { limit: 10, windowMs: 30_000 } } },
  cors: { allowedOrigins: ['http://localhost:3000', 'https://app.example.com/'] },
})

if (!process.argv.includes('--empty')) await sendDemoTraffic(tollgate.url)
process.stdout.write(`proxy ${tollgate.url}\nui ${tollgate.control!.uiUrl}\n`)

if (process.argv.includes('--trickle')) {
  let count = 0
  setInterval(() => void sendDemoRequest(tollgate.url, count++).catch(() => {}), 2000)
}

const stop = async () => {
  await tollgate.close()
  await upstream.close()
  fs.rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
