import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { eventually, rawValues, send, startServer, startTollgate } from '../support/servers'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function startProxy(upstream: string, options = {}) {
  const tollgate = await startTollgate({ upstream, rateLimit: { limit: 100_000 }, ...options })
  cleanups.push(tollgate.stop)
  return tollgate
}

/**
 * An upstream that answers each connection with exactly the bytes `respond` returns for the
 * request path, so a test can send what Node's own server never would.
 */
async function startRawUpstream(
  respond: (path: string, socket: net.Socket) => void,
): Promise<{ url: string }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let head = ''
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      const path = head.split(' ', 2)[1] ?? '/'
      head = ''
      respond(path, socket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Flushes the log and returns the row whose url is `path`. */
function rowFor(tollgate: Awaited<ReturnType<typeof startProxy>>, path: string) {
  tollgate.store.flush()
  return tollgate.store.list({ limit: 1000 }).items.find((row) => row.url === path)
}

describe('an upstream that misbehaves', () => {
  it('forwards an answer that takes 2 s while answering other requests meanwhile', async () => {
    const upstream = await startServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('slow'), 2_000)
      else res.end('fast')
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url)
    const finished: string[] = []

    const slow = send(tollgate.url, { path: '/slow' }).then((response) => {
      finished.push('slow')
      return response
    })
    const fast = await send(tollgate.url, { path: '/fast' })
    finished.push('fast')
    const late = await slow

    expect(fast.body.toString()).toBe('fast')
    expect(late.status).toBe(200)
    expect(late.body.toString()).toBe('slow')
    expect(finished).toEqual(['fast', 'slow'])
    expect(rowFor(tollgate, '/slow')).toMatchObject({ status: 200, responseBodySize: 4 })
    expect(rowFor(tollgate, '/slow')?.errorCode).toBeUndefined()
  })

  it('streams the headers of an upstream that then hangs, and marks the row when the client gives up', async () => {
    let upstreamClosed = false
    const upstream = await startServer((req, res) => {
      if (req.url !== '/hangs') return void res.end('ok')
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.write('first part')
      res.on('close', () => (upstreamClosed = true))
    })
    cleanups.push(upstream.close)
    const tollgate = await startProxy(upstream.url)

    const seen = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.get(`${tollgate.url}/hangs`, (res) => {
        res.once('data', (chunk: Buffer) => {
          resolve({ status: res.statusCode ?? 0, body: chunk.toString() })
          request.destroy()
        })
      })
      request.on('error', () => {})
      request.setTimeout(10_000, () => reject(new Error('no headers or body arrived')))
    })
    await eventually(() => upstreamClosed)
    await eventually(() => rowFor(tollgate, '/hangs') !== undefined)
    const next = await send(tollgate.url, { path: '/next' }).catch((error: Error) => error)

    expect(seen).toEqual({ status: 200, body: 'first part' })
    expect(rowFor(tollgate, '/hangs')).toMatchObject({
      status: 200,
      errorCode: 'CLIENT_ABORTED',
      responseBodySize: 'first part'.length,
    })
    expect(rowFor(tollgate, '/hangs')?.firstByteAt).toBeTypeOf('number')
    expect(next).toMatchObject({ status: 200 })
  })

  it('cuts the client off when the upstream resets mid-body, logs why, and serves the next request', async () => {
    const upstream = await startRawUpstream((path, socket) => {
      if (path === '/reset') {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial')
        setTimeout(() => socket.resetAndDestroy(), 20)
      } else {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
      }
    })
    const tollgate = await startProxy(upstream.url)

    const broken = await send(tollgate.url, { path: '/reset' }).catch((error: Error) => error)
    const next = await send(tollgate.url, { path: '/next' })

    expect(broken).toBeInstanceOf(Error)
    expect(next.status).toBe(200)
    expect(rowFor(tollgate, '/reset')).toMatchObject({
      status: 200,
      errorCode: 'UPSTREAM_RESET',
      responseBodySize: 'partial'.length,
    })
    expect(rowFor(tollgate, '/reset')?.errorMessage).toContain('7 bytes')
  })

  it('relays two Content-Type lines as the upstream sent them and logs both', async () => {
    const upstream = await startRawUpstream((_path, socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\n' +
          'Content-Length: 2\r\n\r\n{}',
      )
    })
    const tollgate = await startProxy(upstream.url)

    const response = await send(tollgate.url, { path: '/two-types' })

    expect(response.status).toBe(200)
    expect(response.body.toString()).toBe('{}')
    expect(rawValues(response.rawHeaders, 'content-type')).toEqual([
      'text/plain',
      'application/json',
    ])
    const logged = rowFor(tollgate, '/two-types')?.responseHeaders ?? []
    expect(logged.filter(([name]) => name.toLowerCase() === 'content-type')).toHaveLength(2)
  })

  it('answers 502 naming the parse error when the upstream sends two different Content-Lengths', async () => {
    const upstream = await startRawUpstream((path, socket) => {
      if (path === '/conflict') {
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello')
      } else {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
      }
    })
    const tollgate = await startProxy(upstream.url)

    const response = await send(tollgate.url, { path: '/conflict' })
    const next = await send(tollgate.url, { path: '/next' })

    expect(response.status).toBe(502)
    const error = JSON.parse(response.body.toString()).error
    expect(error.code).toBe('UPSTREAM_UNREACHABLE')
    expect(error.message).toMatch(/Content-Length/i)
    expect(error.message).toContain('not valid HTTP')
    expect(error.message).not.toContain('Start the upstream')
    expect(rowFor(tollgate, '/conflict')).toMatchObject({
      status: 502,
      errorMessage: error.message,
    })
    expect(next.status).toBe(200)
  })

  it('forwards an HTTP/1.0 answer without a length whose body ends when the upstream closes', async () => {
    const body = 'x'.repeat(100_000)
    const upstream = await startRawUpstream((_path, socket) => {
      socket.end(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n${body}`)
    })
    const tollgate = await startProxy(upstream.url)

    const first = await send(tollgate.url, { path: '/old-1' })
    const second = await send(tollgate.url, { path: '/old-2' })

    expect(first.status).toBe(200)
    expect(first.body.toString()).toBe(body)
    expect(second.body.toString()).toBe(body)
    expect(rowFor(tollgate, '/old-1')).toMatchObject({ status: 200, responseBodySize: body.length })
    expect(rowFor(tollgate, '/old-1')?.errorCode).toBeUndefined()
  })

  it('keeps one row for a WebSocket whose upstream resets after the handshake, and writes no HTTP into it', async () => {
    const upstream = await startServer((_req, res) => res.end())
    const sockets = new WebSocketServer({ server: upstream.server })
    sockets.on('connection', (socket, request) => {
      socket.on('message', () => request.socket.resetAndDestroy())
    })
    cleanups.push(upstream.close, () => new Promise((resolve) => sockets.close(() => resolve())))
    const tollgate = await startProxy(upstream.url)
    const client = new WebSocket(`${tollgate.url.replace('http', 'ws')}/live`)
    const received: string[] = []
    client.on('message', (data) => received.push(String(data)))
    const clientError = new Promise<Error | undefined>((resolve) => {
      client.on('error', resolve)
      client.on('close', () => resolve(undefined))
    })
    await new Promise((resolve, reject) => client.on('open', resolve).on('error', reject))

    client.send('hello')
    const error = await clientError
    await eventually(() => {
      tollgate.store.flush()
      return tollgate.store.count() === 1
    })
    const next = await send(tollgate.url, { path: '/next' })

    expect(error?.message ?? '').not.toMatch(/invalid|opcode|RSV/i)
    expect(received).toEqual([])
    expect(rowFor(tollgate, '/live')).toMatchObject({ kind: 'websocket', status: 101 })
    expect(tollgate.store.status().rejected).toBe(0)
    expect(next.status).toBe(200)
  })
})
