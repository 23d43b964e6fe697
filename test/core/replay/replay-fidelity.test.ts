import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { replayTraffic, type ReplayProgress } from '../../../electron/core/replay'
import type { LoggedExchange } from '../../../electron/core/store'
import { send, sendRaw, startServer, startTollgate } from '../../support/servers'
import { headerNames, startRecordingUpstream } from './replay-helpers'

type Gateway = Awaited<ReturnType<typeof startTollgate>>

let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>
let tollgate: Gateway

beforeAll(async () => {
  upstream = await startRecordingUpstream()
  tollgate = await startTollgate({ upstream: upstream.url, rateLimit: { limit: 10_000 } })
})

afterAll(async () => {
  await tollgate.stop()
  await upstream.close()
})

afterEach(() => {
  upstream.received.length = 0
})

/** The newest exchange of the log, flushed first. */
function newest(): LoggedExchange {
  tollgate.store.flush()
  const [item] = tollgate.store.list({ limit: 1 }).items
  return tollgate.store.get(item!.id)!
}

/** Records an exchange into a session directly, as a HAR import would. */
function recordInSession(session: string, fields: Partial<LoggedExchange>): number {
  const id = tollgate.store.nextId()
  tollgate.store.record({
    id,
    kind: 'http',
    startedAt: Date.now(),
    method: 'GET',
    url: '/',
    httpVersion: '2.0',
    status: 200,
    clientAddress: '127.0.0.1',
    requestHeaders: [],
    requestBody: new Uint8Array(0),
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBody: new Uint8Array(0),
    responseBodySize: 0,
    responseBodyTruncated: false,
    session,
    ...fields,
  })
  return id
}

describe('what a replay sends through the gateway', () => {
  it('reaches the upstream with the same header lines and the exact body bytes as the original', async () => {
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0x7b, 0xc3])
    await send(tollgate.url, {
      method: 'POST',
      path: '/upload?x=1&y=%20z',
      headers: [
        'X-Trace',
        'a',
        'x-trace',
        'b',
        'X-MiXeD-CaSe',
        'Value  with  spaces',
        'Content-Type',
        'application/octet-stream',
        'Content-Length',
        String(body.length),
      ],
      body,
    })
    const original = upstream.received[0]!
    const id = newest().id

    const result = await replayTraffic(tollgate, { id })

    const replayed = upstream.received[1]!
    expect(result.requests[0]).toMatchObject({ originalStatus: 200, status: 200 })
    expect([replayed.method, replayed.url]).toEqual(['POST', '/upload?x=1&y=%20z'])
    expect(replayed.rawHeaders).toEqual(original.rawHeaders)
    expect(replayed.body.equals(body)).toBe(true)
    expect(newest().replayOf).toBe(id)
  })

  it('never lets the replay marker reach the upstream, whoever sends it', async () => {
    await send(tollgate.url, { path: '/a', headers: ['X-Tollgate-Replay-Of', '12'] })
    await send(tollgate.url, {
      path: '/b',
      headers: ['x-tollgate-replay-of', 'junk', 'X-Tollgate-Replay-Of', '3'],
    })
    const id = newest().id

    await replayTraffic(tollgate, { id })

    expect(upstream.received).toHaveLength(3)
    for (const request of upstream.received) {
      expect(headerNames(request.rawHeaders)).not.toContain('x-tollgate-replay-of')
    }
    expect(newest().requestHeaders.map(([name]) => name.toLowerCase())).not.toContain(
      'x-tollgate-replay-of',
    )
  })

  it('keeps the marker from the upstream on a WebSocket handshake too', async () => {
    const seen: string[][] = []
    const wsUpstream = await startServer(() => {})
    wsUpstream.server.on('upgrade', (req, socket) => {
      seen.push([...req.rawHeaders])
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      )
    })
    const gateway = await startTollgate({ upstream: wsUpstream.url })
    try {
      const handshake =
        'GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'X-Tollgate-Replay-Of: 9\r\n\r\n'

      const answer = await sendRaw(gateway.port, handshake)

      expect(answer).toMatch(/^HTTP\/1\.1 101/)
      expect(seen).toHaveLength(1)
      expect(headerNames(seen[0]!)).not.toContain('x-tollgate-replay-of')
    } finally {
      await gateway.stop()
      await wsUpstream.close()
    }
  })

  it('sends an imported HTTP/2 entry to the gateway with its path, a Host, and a true length', async () => {
    recordInSession('h2 import', {
      method: 'PUT',
      url: 'https://api.example.com/v1/items?q=a%20b#details',
      requestHeaders: [
        [':authority', 'api.example.com'],
        [':method', 'PUT'],
        ['content-type', 'text/plain'],
        ['content-length', '999'],
        ['x-dup', '1'],
        ['x-dup', '2'],
      ],
      requestBody: Buffer.from('data'),
      requestBodySize: 4,
    })

    await replayTraffic(tollgate, { session: 'h2 import' })

    const [replayed] = upstream.received
    expect([replayed!.method, replayed!.url]).toEqual(['PUT', '/v1/items?q=a%20b'])
    expect(headerNames(replayed!.rawHeaders).slice(0, 5)).toEqual([
      'host',
      'content-type',
      'content-length',
      'x-dup',
      'x-dup',
    ])
    expect(replayed!.rawHeaders.slice(5, 10)).toEqual(['4', 'x-dup', '1', 'x-dup', '2'])
    expect(replayed!.body.toString()).toBe('data')
  })

  it('sends a single exchange as edited', async () => {
    const id = recordInSession('to edit', { url: '/original', requestHeaders: [['X-Old', '1']] })

    await replayTraffic(tollgate, {
      id,
      edit: {
        method: 'PATCH',
        url: '/edited?n=2',
        headers: [
          ['X-New', 'yes'],
          ['x-new', 'again'],
        ],
        body: Buffer.from('{"a":1}'),
      },
    })

    const [replayed] = upstream.received
    expect([replayed!.method, replayed!.url]).toEqual(['PATCH', '/edited?n=2'])
    expect(replayed!.rawHeaders.slice(2, 8)).toEqual([
      'X-New',
      'yes',
      'x-new',
      'again',
      'Content-Length',
      '7',
    ])
    expect(replayed!.body.toString()).toBe('{"a":1}')
  })

  it('reports an entry Node cannot send as unsendable and goes on with the rest', async () => {
    recordInSession('bad header', { url: '/bad', requestHeaders: [['X-Bad', 'a\r\nInjected: 1']] })
    recordInSession('bad header', { url: '/good', startedAt: Date.now() + 1 })

    const result = await replayTraffic(tollgate, { session: 'bad header' })

    expect(result.requests.map((request) => request.failure?.reason)).toEqual([
      'unsendable',
      undefined,
    ])
    expect(result.requests[0]!.failure!.message).toContain('cannot be sent as recorded')
    expect(upstream.received.map((request) => request.url)).toEqual(['/good'])
  })

  it('reports progress, and stops sending when cancelled', async () => {
    for (let i = 0; i < 20; i++) recordInSession('to cancel', { url: `/slow/${i}` })
    const controller = new AbortController()
    const seen: ReplayProgress[] = []

    const result = await replayTraffic(
      tollgate,
      { session: 'to cancel' },
      {
        pacing: { mode: 'rate', rate: 10 },
        signal: controller.signal,
        onProgress(progress) {
          seen.push(progress)
          if (progress.completed === 2) controller.abort()
        },
      },
    )

    expect(result.cancelled).toBe(true)
    expect(result.totals.requests).toBeLessThan(20)
    expect(upstream.received.length).toBeLessThan(20)
    expect(seen[0]).toMatchObject({ total: 20, completed: 0 })
    expect(seen.map((progress) => progress.completed)).toContain(2)
  })

  it("counts Tollgate's own 502 for an unreachable upstream as a failure, and a plain 500 as a result", async () => {
    const down = await startServer(() => {})
    await down.close()
    const broken = await startTollgate({ upstream: down.url })
    const answering = await startServer((_req, res) => {
      res.statusCode = 500
      res.end('upstream error')
    })
    const failing = await startTollgate({ upstream: answering.url })
    try {
      await send(broken.url, { path: '/x' })
      await send(failing.url, { path: '/y' })
      broken.store.flush()
      failing.store.flush()

      const unreachable = await replayTraffic(broken, { filter: {} })
      const answered = await replayTraffic(failing, { filter: {} })

      expect(unreachable.requests[0]).toMatchObject({
        status: 502,
        failure: { reason: 'upstream', code: 'UPSTREAM_UNREACHABLE' },
      })
      expect(unreachable.totals.failed).toBe(1)
      expect(answered.requests[0]!.failure).toBeUndefined()
      expect(answered.totals).toMatchObject({ other: 1, failed: 0 })
    } finally {
      await broken.stop()
      await failing.stop()
      await answering.close()
    }
  })
})
