import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  eventually,
  sendRaw,
  startServer,
  startTollgate,
  type TestServer,
} from '../../support/servers'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

const HANDSHAKE_LINES = [
  'GET /socket HTTP/1.1',
  'Host: localhost:8787',
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'X-Tenant-Id: t1',
  'x-custom: a',
  'X-CUSTOM: b',
]

function handshake(extra: string[] = []): string {
  return [...HANDSHAKE_LINES, ...extra, 'Connection-Test: end', '', ''].join('\r\n')
}

/** An upstream whose `upgrade` handler writes `answer` raw, remembering what it received. */
async function upgradeUpstream(answer: (socket: net.Socket) => void) {
  const received: string[][] = []
  const upstream: TestServer = await startServer((_req, res) => res.end())
  const sockets: net.Socket[] = []
  upstream.server.on('upgrade', (req, socket: net.Socket) => {
    received.push([...req.rawHeaders])
    sockets.push(socket)
    answer(socket)
  })
  cleanups.push(upstream.close, () => sockets.forEach((socket) => socket.destroy()))
  return { upstream, received }
}

async function proxyTo(upstream: string, options = {}) {
  const tollgate = await startTollgate({ upstream, rateLimit: { limit: 100 }, ...options })
  cleanups.push(tollgate.stop)
  return tollgate
}

function rowOf(tollgate: Awaited<ReturnType<typeof proxyTo>>) {
  tollgate.store.flush()
  return tollgate.store.get(tollgate.store.list({}).items[0]!.id)!
}

describe('WebSocket handshakes', () => {
  it('reach the upstream with every line as sent, and the 101 comes back as the upstream wrote it', async () => {
    const { upstream, received } = await upgradeUpstream((socket) =>
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Request-ID: r1\r\nx-request-id: r2\r\n\r\n',
      ),
    )
    const tollgate = await proxyTo(upstream.url)

    const answer = await sendRaw(tollgate.port, handshake())

    expect(received[0]).toEqual([
      'Host',
      new URL(upstream.url).host,
      'Connection',
      'Upgrade',
      'Upgrade',
      'websocket',
      'Sec-WebSocket-Version',
      '13',
      'Sec-WebSocket-Key',
      'dGhlIHNhbXBsZSBub25jZQ==',
      'X-Tenant-Id',
      't1',
      'x-custom',
      'a',
      'X-CUSTOM',
      'b',
      'Connection-Test',
      'end',
      'X-Forwarded-For',
      '127.0.0.1',
      'X-Forwarded-Host',
      'localhost:8787',
      'X-Forwarded-Proto',
      'http',
    ])
    expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/)
    expect(answer).toContain('\r\nX-Request-ID: r1\r\nx-request-id: r2\r\n')
    expect(rowOf(tollgate)).toMatchObject({ kind: 'websocket', status: 101 })
  })

  it('relays a refusal with its spelling and a valid framing, and logs its body', async () => {
    const { upstream } = await upgradeUpstream((socket) =>
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nX-Reason: NoTicket\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n9\r\n{"error":\r\n8\r\n"ticket"\r\n1\r\n}\r\n0\r\n\r\n',
      ),
    )
    const tollgate = await proxyTo(upstream.url)

    const answer = await sendRaw(tollgate.port, handshake())
    const [head, body] = answer.split('\r\n\r\n')

    expect(head).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/)
    expect(head).toContain('\r\nX-Reason: NoTicket')
    expect(head!.toLowerCase()).not.toContain('transfer-encoding')
    expect(head).toContain('\r\nConnection: close')
    expect(body).toBe('{"error":"ticket"}')
    const row = rowOf(tollgate)
    expect(row).toMatchObject({ status: 403, responseBodySize: 18 })
    expect(Buffer.from(row.responseBody).toString()).toBe('{"error":"ticket"}')
  })

  it('cuts the client too when the upstream cuts its refusal short, and logs it as a reset', async () => {
    const { upstream } = await upgradeUpstream((socket) => {
      socket.write('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nnope.\r\n')
      setTimeout(() => socket.destroy(), 50)
    })
    const tollgate = await proxyTo(upstream.url)

    const outcome = await sendRaw(tollgate.port, handshake()).then(
      () => 'ended cleanly',
      (error: NodeJS.ErrnoException) => error.code,
    )

    expect(outcome).toBe('ECONNRESET')
    expect(rowOf(tollgate)).toMatchObject({ status: 403, errorCode: 'UPSTREAM_RESET' })
  })

  it('closes the upstream when the client leaves during a refusal, and logs it', async () => {
    let upstreamClosed = false
    const { upstream } = await upgradeUpstream((socket) => {
      socket.write('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nslow.\r\n')
      // The upstream server's sockets stay half open: the end is Tollgate hanging up.
      socket.on('end', () => (upstreamClosed = true))
    })
    const tollgate = await proxyTo(upstream.url)

    const client = net.connect(tollgate.port, '127.0.0.1', () => client.write(handshake()))
    await new Promise((resolve) => client.once('data', resolve))
    // A reset: a plain FIN could be a client that only half-closes and still reads the answer.
    client.resetAndDestroy()
    await eventually(() => upstreamClosed)

    expect(rowOf(tollgate)).toMatchObject({ status: 403, errorCode: 'CLIENT_ABORTED' })
  })

  it('answers 504 when the upstream never answers the handshake, and logs it', async () => {
    const { upstream } = await upgradeUpstream(() => {})
    const tollgate = await proxyTo(upstream.url, { upstreamTimeoutMs: 300 })

    const answer = await sendRaw(tollgate.port, handshake())

    expect(answer).toMatch(/^HTTP\/1\.1 504 /)
    expect(answer).toContain('UPSTREAM_TIMEOUT')
    expect(rowOf(tollgate)).toMatchObject({ status: 504, errorCode: 'UPSTREAM_TIMEOUT' })
  })

  it('logs the bodies of the answers Tollgate gives itself: a 429 and a 502', async () => {
    const tollgate = await proxyTo('http://127.0.0.1:9', { rateLimit: { limit: 1 } })
    const key = ['X-API-Key: sk_test_socket']

    const unreachable = await sendRaw(tollgate.port, handshake(key))
    const limited = await sendRaw(tollgate.port, handshake(key))
    tollgate.store.flush()
    const rows = tollgate.store.list({}).items.map((item) => tollgate.store.get(item.id)!)

    expect(unreachable).toMatch(/^HTTP\/1\.1 502 /)
    expect(limited).toMatch(/^HTTP\/1\.1 429 /)
    expect(rows.map((row) => row.status).sort()).toEqual([429, 502])
    for (const row of rows) {
      const sent = (row.status === 502 ? unreachable : limited).split('\r\n\r\n')[1]!
      expect(Buffer.from(row.responseBody).toString()).toBe(sent)
      expect(row.responseBodySize).toBe(Buffer.byteLength(sent))
    }
  })
})
