import http from 'node:http'
import net from 'node:net'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { eventually, startServer, startTollgate } from '../support/servers'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** The rows in a closed log, read with a connection of the test's own. */
function loggedRows(file: string) {
  const db = new Database(file, { readonly: true })
  const rows = db.prepare('SELECT kind, status, url FROM exchanges ORDER BY id').all()
  db.close()
  return rows
}

/** The error code of each row in a closed log, in id order. */
function errorCodes(file: string) {
  const db = new Database(file, { readonly: true })
  const codes = db.prepare('SELECT error_code FROM exchanges ORDER BY id').pluck().all()
  db.close()
  return codes
}

/** Resolves with 'closed' once `promise` settles, or 'hung' after `ms`. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'closed' | 'hung'> {
  return Promise.race([
    promise.then(() => 'closed' as const),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms)),
  ])
}

describe('closing Tollgate', () => {
  it('closes while a client holds a WebSocket open through it, and logs the handshake', async () => {
    const upstream = await startServer((_req, res) => res.end())
    const sockets = new WebSocketServer({ server: upstream.server })
    cleanups.push(upstream.close, () => new Promise((resolve) => sockets.close(() => resolve())))
    const tollgate = await startTollgate({ upstream: upstream.url })
    cleanups.push(() => tollgate.stop())
    const client = new WebSocket(`${tollgate.url.replace('http', 'ws')}/live`)
    await new Promise((resolve, reject) => client.on('open', resolve).on('error', reject))
    const clientClosed = new Promise((resolve) => client.on('close', resolve))

    const outcome = await settlesWithin(tollgate.close(), 10_000)

    expect(outcome).toBe('closed')
    await clientClosed
    expect(loggedRows(tollgate.dbPath)).toEqual([{ kind: 'websocket', status: 101, url: '/live' }])
  })

  it('closes while a half-closed upgrade request waits for the upstream', async () => {
    // An upstream that accepts the connection and never answers the handshake.
    const silent = net.createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const held: net.Socket[] = []
    let upstreamClosed = 0
    silent.on('connection', (socket) => {
      held.push(socket)
      socket.resume()
      socket.on('close', () => upstreamClosed++)
    })
    cleanups.push(() => {
      held.forEach((socket) => socket.destroy())
      return new Promise<void>((resolve) => silent.close(() => resolve()))
    })
    const port = (silent.address() as net.AddressInfo).port
    const tollgate = await startTollgate({ upstream: `http://127.0.0.1:${port}` })
    cleanups.push(() => tollgate.stop())
    const client = net.connect(tollgate.port, '127.0.0.1')
    await new Promise((resolve) => client.on('connect', resolve))
    client.end(
      'GET /socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    cleanups.push(() => void client.destroy())
    await new Promise((resolve) => setTimeout(resolve, 100))

    const outcome = await settlesWithin(tollgate.close(), 10_000)

    expect(outcome).toBe('closed')
    await eventually(() => upstreamClosed === held.length)
    expect(loggedRows(tollgate.dbPath)).toEqual([
      { kind: 'websocket', status: null, url: '/socket' },
    ])
    expect(errorCodes(tollgate.dbPath)).toEqual(['PROXY_STOPPED'])
  })

  it('closes while a response is still streaming, and keeps its row', async () => {
    const upstream = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      res.write('data: first\n\n')
    })
    cleanups.push(upstream.close)
    const tollgate = await startTollgate({ upstream: upstream.url })
    cleanups.push(() => tollgate.stop())
    const firstEvent = new Promise<void>((resolve, reject) => {
      http
        .get(`${tollgate.url}/events`, (res) => {
          res.once('data', () => resolve())
          res.on('error', () => {})
        })
        .on('error', () => {})
      setTimeout(() => reject(new Error('no event arrived')), 5_000)
    })
    await firstEvent

    const outcome = await settlesWithin(tollgate.close(), 10_000)

    expect(outcome).toBe('closed')
    expect(loggedRows(tollgate.dbPath)).toEqual([{ kind: 'http', status: 200, url: '/events' }])
    expect(errorCodes(tollgate.dbPath)).toEqual(['PROXY_STOPPED'])
  })
})
