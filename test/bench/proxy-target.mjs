/**
 * One proxy under test, alone in its process: `node proxy-target.mjs <kind> <upstream url>` with
 * kind `http-proxy`, `tollgate` or `mockttp`. Prints `{ url }` once listening; on stop prints
 * what the proxy can tell about itself (Tollgate: the rows in its log) and exits.
 */

import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { endWithParent, printMessage } from './bench-process.mjs'
import { PAGE_ORIGIN } from './browser-headers.mjs'

const [kind, upstream] = process.argv.slice(2)

const starters = {
  'http-proxy': startHttpProxy,
  tollgate: startTollgate,
  mockttp: startMockttp,
}

if (!starters[kind] || !upstream) {
  process.stderr.write('usage: node proxy-target.mjs <http-proxy|tollgate|mockttp> <upstream>\n')
  process.exit(1)
}

const target = await starters[kind](upstream)

// CPU time from here on is the proxy's work alone; on a shared machine it is the steadier figure.
// It counts every thread; the main thread's own share is where requests are handled.
const cpuAtStart = process.cpuUsage()
const mainAtStart = mainThreadCpuMs()
endWithParent(async () => {
  const { user, system } = process.cpuUsage(cpuAtStart)
  const mainCpuMs = mainThreadCpuMs() - mainAtStart
  printMessage({ cpuMs: (user + system) / 1000, mainCpuMs, ...(await target.stop()) })
})
printMessage({ url: target.url })

/** CPU time of the calling thread so far, in milliseconds; NaN without Linux's schedstat. */
function mainThreadCpuMs() {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6
  } catch {
    return NaN
  }
}

/** The floor a Node proxy can reach: http-proxy with a keep-alive agent, nothing else. */
async function startHttpProxy(upstreamUrl) {
  const { default: httpProxy } = await import('http-proxy')
  const agent = new http.Agent({ keepAlive: true })
  const proxy = httpProxy.createProxyServer({ target: upstreamUrl, agent })
  proxy.on('error', (error, _req, res) => {
    process.stderr.write(`http-proxy: ${error.message}\n`)
    if (!res.headersSent) res.writeHead(502).end()
    else res.destroy()
  })

  const server = http.createServer((req, res) => proxy.web(req, res))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    async stop() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      agent.destroy()
      return {}
    },
  }
}

/** Tollgate as a user runs it: limiter, CORS and the SQLite log all on, nothing printed. */
async function startTollgate(upstreamUrl) {
  const { createTollgate, silentLogger } = await import('../../out/main/lib.js')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-'))
  const tollgate = await createTollgate({
    upstream: upstreamUrl,
    listen: { host: '127.0.0.1', port: 0 },
    db: path.join(dir, 'traffic.db'),
    rateLimit: { limit: 1e9 },
    cors: { allowedOrigins: [PAGE_ORIGIN] },
    // The default keeps 100 000 rows; keeping all is what lets rows be checked against answers.
    retention: { maxRows: 0 },
    logger: silentLogger,
  })

  return {
    url: tollgate.url,
    async stop() {
      // Clients have gone by now; give aborted exchanges a moment to reach the log.
      await new Promise((resolve) => setTimeout(resolve, 250))
      tollgate.store.flush()
      const rows = tollgate.store.count()
      const rows2xx = tollgate.store.count({ status: '2xx' })
      const status = tollgate.store.status()
      await tollgate.close()
      fs.rmSync(dir, { recursive: true, force: true })
      return { rows, rows2xx, store: status }
    },
  }
}

/** The peer: mockttp forwarding every request, with its defaults (it keeps traffic in memory). */
async function startMockttp(upstreamUrl) {
  const servers = pinListenToLoopback()
  const repeats = printEachMessageOnce()
  const mockttp = await import('mockttp')
  const mockServer = mockttp.getLocal()
  // A fixed port 0 skips mockttp's port probing, which would bind other ports on the way.
  await mockServer.start(0)
  await mockServer.forAnyRequest().thenForwardTo(upstreamUrl)

  const stray = servers.filter((server) => server.address()?.address !== '127.0.0.1')
  if (stray.length > 0) throw new Error('mockttp listened beyond 127.0.0.1; stopping the bench')

  return {
    url: `http://127.0.0.1:${mockServer.port}`,
    async stop() {
      await mockServer.stop()
      return { repeatedLogLines: repeats.count }
    },
  }
}

/**
 * mockttp takes no listening address and listens on every interface. The bench listens on
 * loopback only, so in this process a listen given just a port gets 127.0.0.1 added. Returns
 * the servers that listened, to check the result.
 */
function pinListenToLoopback() {
  const servers = []
  const listen = net.Server.prototype.listen
  net.Server.prototype.listen = function listenOnLoopback(...args) {
    if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1')
    servers.push(this)
    return listen.apply(this, args)
  }
  return servers
}

/**
 * mockttp prints a line for every request a client abandons, and every load run ends by
 * abandoning those in flight. Each distinct line is printed once; repeats are only counted.
 */
function printEachMessageOnce() {
  const seen = new Set()
  const repeats = { count: 0 }
  // Everything goes to stderr: stdout carries the result lines.
  for (const method of ['log', 'warn', 'error']) {
    console[method] = (...args) => {
      const line = args.map(String).join(' ')
      if (seen.has(line)) repeats.count++
      else process.stderr.write(`mockttp (repeats not shown): ${line}\n`)
      seen.add(line)
    }
  }
  return repeats
}
