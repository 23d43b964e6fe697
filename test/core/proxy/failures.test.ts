import http from 'node:http'
import net from 'node:net'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { eventually, send, startServer, startTollgate } from '../../support/servers'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function startProxy(upstream: string, options = {}) {
  const tollgate = await startTollgate({ upstream, rateLimit: { limit: 100_000 }, ...options })
  cleanups.push(tollgate.stop)
  return tollgate
}

describe('streams and failures', () => {
  it('delivers each server-sent event as it is sent', async () => {
    const sentAt: number[] = []
    const upstream = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      let count = 0
      const tick = () => {
        sentAt.push(Date.now())
        res.write(`data: ${count}\n\n`)
        count += 1
        if (count === 3) res.end()
        else setTimeout(tick, 1000)
      }
      tick()
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url)
    const arrivedAt: number[] = []

    await new Promise<void>((resolve, reject) => {
      http
        .get(`${tollgate.url}/events`, (res) => {
          res.on('data', (chunk: Buffer) => {
            for (const _event of chunk.toString().split('\n\n').filter(Boolean))
              arrivedAt.push(Date.now())
          })
          res.on('end', resolve)
        })
        .on('error', reject)
    })

    expect(arrivedAt).toHaveLength(3)
    arrivedAt.forEach((arrived, index) => expect(arrived - sentAt[index]!).toBeLessThan(200))
  })

  it('survives an upstream reset, answers 502 while it is down, and forwards once it is back', async () => {
    let mode: 'reset' | 'ok' = 'reset'
    const upstream = await startServer((_req, res) => {
      if (mode === 'reset') {
        res.writeHead(200, { 'Content-Length': '1000' })
        res.write('partial')
        setTimeout(() => res.socket?.destroy(), 20)
        return
      }
      res.end('back')
    })
    const tollgate = await startProxy(upstream.url)

    const first = await send(tollgate.url, { path: '/one' }).catch((error: Error) => error)
    await upstream.close()
    const second = await send(tollgate.url, { path: '/two' })
    const revived = http.createServer((_req, res) => res.end('back'))
    await new Promise<void>((resolve) => revived.listen(upstream.port, '127.0.0.1', resolve))
    cleanups.push(() => new Promise((resolve) => revived.close(() => resolve())))
    mode = 'ok'
    const third = await send(tollgate.url, { path: '/three' })
    tollgate.store.flush()

    expect(first).toBeInstanceOf(Error)
    expect(second.status).toBe(502)
    expect(JSON.parse(second.body.toString()).error.code).toBe('UPSTREAM_UNREACHABLE')
    expect(JSON.parse(second.body.toString()).error.message).toContain(upstream.url)
    expect(third.status).toBe(200)
    expect(third.body.toString()).toBe('back')
    const rows = tollgate.store.list({}).items.reverse()
    expect(rows.map((row) => row.errorCode)).toEqual([
      'UPSTREAM_RESET',
      'UPSTREAM_UNREACHABLE',
      undefined,
    ])
  })

  it('lets a response under way finish when the upstream is changed, and sends the next one to the new upstream', async () => {
    let finishStream: (() => void) | undefined
    const first = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.write('part one, ')
      finishStream = () => res.end('part two')
    })
    const second = await startServer((_req, res) => res.end('from the new upstream'))
    cleanups.push(first.close, second.close)
    const tollgate = await startProxy(first.url)

    const streaming = send(tollgate.url, { path: '/stream' })
    await eventually(() => finishStream !== undefined)
    tollgate.updateConfig({ upstream: second.url })
    finishStream!()
    const streamed = await streaming
    const after = await send(tollgate.url, { path: '/after' })
    tollgate.store.flush()

    expect(streamed.body.toString()).toBe('part one, part two')
    expect(after.body.toString()).toBe('from the new upstream')
    expect(tollgate.store.list({}).items.map((row) => row.errorCode)).toEqual([
      undefined,
      undefined,
    ])
  })

  it("refuses Tollgate's own address as its upstream, at start and at run time", async () => {
    const upstream = await startServer((_req, res) => res.end('the real API'))
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url)
    const free = await startServer(() => {})
    const freePort = Number(new URL(free.url).port)
    await free.close()

    const own = [
      tollgate.url,
      `http://localhost:${tollgate.port}/v1`,
      `http://0.0.0.0:${tollgate.port}`,
      `http://[::ffff:127.0.0.1]:${tollgate.port}`,
    ]
    for (const address of own) {
      expect(() => tollgate.updateConfig({ upstream: address })).toThrow(
        "is Tollgate's own address",
      )
    }
    // Another machine on the same port is another server.
    expect(() =>
      tollgate.updateConfig({ upstream: `http://api.example.test:${tollgate.port}` }),
    ).not.toThrow()
    tollgate.updateConfig({ upstream: upstream.url })
    const atStart = await startTollgate({
      upstream: `http://127.0.0.1:${freePort}`,
      listen: { host: '127.0.0.1', port: freePort },
    }).catch((error: Error) => error)
    const answer = await send(tollgate.url)

    expect(atStart).toBeInstanceOf(Error)
    expect((atStart as Error).message).toContain("is Tollgate's own address")
    expect(answer.body.toString()).toBe('the real API')
  })

  it('gives a slow upload no 504: the upstream is timed only once it has the whole request', async () => {
    const upstream = await startServer((req, res) => {
      req.resume()
      req.on('end', () => res.end('got it'))
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url, { upstreamTimeoutMs: 300 })

    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${tollgate.url}/upload`, { method: 'POST' }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      let sent = 0
      const timer = setInterval(() => {
        req.write('piece ')
        if (++sent === 8) {
          clearInterval(timer)
          req.end()
        }
      }, 100)
    })

    expect(answer).toEqual({ status: 200, body: 'got it' })
  })

  it('answers 504 when the upstream sends no headers in time', async () => {
    const upstream = await startServer(() => {})
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url, { upstreamTimeoutMs: 300 })

    const response = await send(tollgate.url)

    expect(response.status).toBe(504)
    expect(JSON.parse(response.body.toString()).error.code).toBe('UPSTREAM_TIMEOUT')
  })

  it('gives every waiting request its own full allowance, and none to an answered one', async () => {
    const upstream = await startServer((req, res) => {
      if (req.url === '/fast') res.end('quick')
      else if (req.url === '/late') setTimeout(() => res.end('late but in time'), 250)
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url, { upstreamTimeoutMs: 400 })
    const timed = async (path: string) => {
      const started = performance.now()
      const response = await send(tollgate.url, { path })
      return { status: response.status, ms: performance.now() - started }
    }

    const first = timed('/hangs/1')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const [late, second, fast] = await Promise.all([
      timed('/late'),
      timed('/hangs/2'),
      timed('/fast'),
    ])

    expect((await first).status).toBe(504)
    expect((await first).ms).toBeGreaterThanOrEqual(390)
    // Started 200 ms after the first, so it must not expire with it.
    expect(second.status).toBe(504)
    expect(second.ms).toBeGreaterThanOrEqual(390)
    expect(late.status).toBe(200)
    expect(fast.status).toBe(200)
  })

  it('aborts the upstream request when the client goes away, and never writes a 502', async () => {
    let upstreamClosed = 0
    const upstream = await startServer((req, res) => {
      const timer = setTimeout(() => res.end('late'), 5000)
      res.on('close', () => {
        clearTimeout(timer)
        upstreamClosed += 1
      })
      req.resume()
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url)
    const clients = 50

    await Promise.all(
      Array.from(
        { length: clients },
        (_, index) =>
          new Promise<void>((resolve) => {
            const controller = new AbortController()
            http
              .get(`${tollgate.url}/slow/${index}`, { signal: controller.signal }, () => {})
              .on('error', () => resolve())
            setTimeout(() => controller.abort(), 200)
          }),
      ),
    )
    await eventually(() => upstreamClosed === clients)
    await eventually(() => {
      tollgate.store.flush()
      return tollgate.store.count() === clients
    })

    const rows = tollgate.store.list({ limit: 1000 }).items
    expect(rows.every((row) => row.errorCode === 'CLIENT_ABORTED')).toBe(true)
    expect(rows.some((row) => row.status === 502)).toBe(false)
  })

  it('forwards a WebSocket upgrade as the very first connection and logs the handshake', async () => {
    const upstream = await startServer((_req, res) => res.end())
    const wss = new WebSocketServer({ server: upstream.server })
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${data}`)))
    cleanups.push(upstream.close, () => new Promise((resolve) => wss.close(() => resolve())))
    const tollgate = await startProxy(upstream.url)

    const client = new WebSocket(`${tollgate.url.replace('http', 'ws')}/socket`)
    const reply = await new Promise<string>((resolve, reject) => {
      client.on('open', () => client.send('hello'))
      client.on('message', (data) => resolve(String(data)))
      client.on('error', reject)
    })
    client.close()
    tollgate.store.flush()

    expect(reply).toBe('echo:hello')
    const row = tollgate.store.list({}).items[0]!
    expect(row.kind).toBe('websocket')
    expect(row.status).toBe(101)
    expect(row.url).toBe('/socket')
  })
})

/** Resolves with `promise`, or rejects naming `what` when it takes longer than `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

describe('answers given before the request body is all sent', () => {
  // One keep-alive socket, so the request after the early answer has to use the same connection.
  function oneSocket() {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    cleanups.push(() => agent.destroy())
    return agent
  }
  const BIG = Buffer.alloc(4 * 1024 * 1024, 0x61)

  it('reads the rest of a body refused with a 429, logs all of it, and serves the next request', async () => {
    const upstream = await startServer((req, res) => {
      req.resume()
      req.on('end', () => res.end('ok'))
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url, { rateLimit: { limit: 1 } })
    const agent = oneSocket()
    const key = ['X-API-Key', 'sk_test_early']

    const allowed = await send(tollgate.url, {
      method: 'POST',
      path: '/a',
      headers: key,
      body: 'x',
      agent,
    })
    const refused = await send(tollgate.url, {
      method: 'POST',
      path: '/b',
      headers: key,
      body: BIG,
      agent,
    })
    const next = await within(
      3000,
      'the next request on the connection',
      send(tollgate.url, { path: '/c', agent }),
    )
    tollgate.store.flush()

    expect([allowed.status, refused.status, next.status]).toEqual([200, 429, 200])
    expect(tollgate.store.list({ status: 429 }).items[0]).toMatchObject({
      url: '/b',
      requestBodySize: BIG.length,
      requestBodyTruncated: true,
    })
  })

  it('reads the rest of a body whose upstream hung up mid-way, answers 502, and serves the next request', async () => {
    const upstream = await startServer((req, res) => {
      if (req.url === '/upload') req.once('data', () => req.socket.destroy())
      else res.end('ok')
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url)
    const agent = oneSocket()

    const failed = await send(tollgate.url, { method: 'POST', path: '/upload', body: BIG, agent })
    const next = await within(
      3000,
      'the next request on the connection',
      send(tollgate.url, { path: '/c', agent }),
    )
    tollgate.store.flush()

    expect([failed.status, next.status]).toEqual([502, 200])
    expect(tollgate.store.list({ status: 502 }).items[0]).toMatchObject({
      url: '/upload',
      requestBodySize: BIG.length,
      errorCode: 'UPSTREAM_UNREACHABLE',
    })
  })

  it('logs an early-answered request whose client leaves mid-body, stalls until Tollgate stops, or asked to close', async () => {
    const tollgate = await startTollgate({
      upstream: 'http://127.0.0.1:9',
      rateLimit: { limit: 0 },
    })
    cleanups.push(() => tollgate.stop())
    const key = 'X-API-Key: sk_test_leaves\r\n'
    const head = (path: string, extra = '') =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\n${key}${extra}Content-Length: 100000\r\n\r\n${'a'.repeat(5000)}`
    const answered = (socket: net.Socket) =>
      new Promise<void>((resolve) => socket.once('data', () => resolve()))

    const leaving = net.connect(tollgate.port, '127.0.0.1', () => leaving.write(head('/leaves')))
    await answered(leaving)
    leaving.resetAndDestroy()
    const stalling = net.connect(tollgate.port, '127.0.0.1', () => stalling.write(head('/stalls')))
    stalling.on('error', () => {})
    await answered(stalling)
    // Asked to close after the answer: Node ends the connection, and nobody aborted anything.
    const closing = net.connect(tollgate.port, '127.0.0.1', () =>
      closing.write(head('/closes', 'Connection: close\r\n')),
    )
    closing.on('error', () => {})
    await answered(closing)
    await eventually(() => {
      tollgate.store.flush()
      return tollgate.store.count() === 2
    })
    await tollgate.close()

    const db = new Database(tollgate.dbPath, { readonly: true })
    const rows = db
      .prepare('SELECT url, status, error_code, request_body_size FROM exchanges ORDER BY url')
      .raw()
      .all()
    db.close()
    expect(rows).toEqual([
      ['/closes', 429, null, 5000],
      ['/leaves', 429, 'CLIENT_ABORTED', 5000],
      ['/stalls', 429, 'PROXY_STOPPED', 5000],
    ])
  })

  it('cuts the connection when the body of a request already answered turns out malformed', async () => {
    const tollgate = await startProxy('http://127.0.0.1:9', { rateLimit: { limit: 0 } })

    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(tollgate.port, '127.0.0.1', () =>
        socket.write(
          'POST /bad HTTP/1.1\r\nHost: x\r\nX-API-Key: sk_test_bad\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
        ),
      )
      const chunks: Buffer[] = []
      socket.on('data', (chunk) => {
        chunks.push(chunk)
        if (chunks.length === 1) socket.write('zz\r\nnot a chunk\r\n')
      })
      socket.on('error', () => {})
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    })
    await eventually(() => {
      tollgate.store.flush()
      return tollgate.store.count() === 1
    })

    expect(answer).toMatch(/^HTTP\/1\.1 429 /)
    expect(answer).not.toContain('400 Bad Request')
  })

  it('logs no response body for a HEAD it answers itself, as none was sent', async () => {
    const tollgate = await startProxy('http://127.0.0.1:9', { rateLimit: { limit: 1 } })
    const key = ['X-API-Key', 'sk_test_head']

    const unreachable = await send(tollgate.url, { method: 'HEAD', headers: key })
    const limited = await send(tollgate.url, { method: 'HEAD', headers: key })
    tollgate.store.flush()

    expect([unreachable.status, limited.status]).toEqual([502, 429])
    expect(tollgate.store.count()).toBe(2)
    for (const row of tollgate.store.list({}).items) {
      expect(row.responseBodySize).toBe(0)
      expect(tollgate.store.get(row.id)!.responseBody).toHaveLength(0)
    }
  })
})
