import http from 'node:http'
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
