import { createHash } from 'node:crypto'
import net from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  eventually,
  send,
  sendRaw,
  startServer,
  startTollgate,
  type TestServer,
} from '../support/servers'

/** Requests the upstream received, as `METHOD url`, with the size and hash of each body. */
const reached: { line: string; size: number; sha256: string }[] = []
let upstream: TestServer
let tollgate: Awaited<ReturnType<typeof startTollgate>>

beforeAll(async () => {
  upstream = await startServer((req, res) => {
    if (req.url === '/early-answer') {
      // Answers before the body is complete, and finishes only later.
      req.on('error', () => {})
      req.resume()
      res.writeHead(200, { 'Content-Length': '10' })
      res.write('12345')
      setTimeout(() => res.end('67890'), 500)
      return
    }
    if (req.url === '/slow-answer') {
      req.resume()
      setTimeout(() => res.end('slow ok'), 200)
      return
    }
    const hash = createHash('sha256')
    let size = 0
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk)
      size += chunk.length
    })
    req.on('end', () => {
      reached.push({ line: `${req.method} ${req.url}`, size, sha256: hash.digest('hex') })
      res.end('ok')
    })
  })
  tollgate = await startTollgate({
    upstream: upstream.url,
    rateLimit: { limit: 100_000 },
    capture: { maxBodyBytes: 1024 },
  })
})

afterAll(async () => {
  await tollgate.stop()
  await upstream.close()
})

beforeEach(() => {
  reached.length = 0
})

/** Writes raw bytes to the proxy and returns everything it sent back before closing. */
function exchangeRaw(text: string | Buffer): Promise<string> {
  return sendRaw(tollgate.port, text)
}

/** Writes each piece once the previous one has had an answer, and returns all that came back. */
function exchangeRawSlowly(pieces: string[]): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = net.connect(tollgate.port, '127.0.0.1', () => socket.write(pieces[0]!))
    let next = 1
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      if (next < pieces.length) socket.write(pieces[next++]!)
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    setTimeout(() => socket.destroy(), 5_000)
  })
}

function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
}

function rows() {
  tollgate.store.flush()
  return tollgate.store.list({ limit: 1000 }).items
}

/** The proxy still forwards an ordinary request. */
async function expectStillServing() {
  const response = await send(tollgate.url, { path: '/health' })
  expect(response.status).toBe(200)
}

describe('requests the parser refuses', () => {
  it.each([
    ['a request line of garbage', 'HELLO THERE\r\n\r\n'],
    ['a method with a space in it', 'GE T / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an HTTP/9.9 version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    ['a bare LF inside a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n'],
    [
      'both Content-Length and chunked',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'raw 0xFF bytes in the path',
      Buffer.concat([
        Buffer.from('GET /caf'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
      ]),
    ],
  ])('answers %s with 400 and forwards nothing', async (_name, raw) => {
    const answer = await exchangeRaw(raw)

    expect(statusOf(answer)).toBe(400)
    expect(reached).toEqual([])
    await expectStillServing()
  })

  it('answers a 64 KiB header with 431', async () => {
    const raw = `GET /big HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`

    const answer = await exchangeRaw(raw)

    expect(statusOf(answer)).toBe(431)
    expect(reached).toEqual([])
    await expectStillServing()
  })
})

describe('requests that reach Tollgate', () => {
  it('forwards and logs a request with a thousand headers', async () => {
    const lines = Array.from({ length: 1000 }, (_, index) => `X-Header-${index}: ${index}\r\n`)
    const raw = `GET /many HTTP/1.1\r\nHost: x\r\n${lines.join('')}Connection: close\r\n\r\n`

    const answer = await exchangeRaw(raw)

    expect(statusOf(answer)).toBe(200)
    const row = rows().find((item) => item.url === '/many')
    expect(row?.requestHeaders.filter(([name]) => name.startsWith('X-Header-'))).toHaveLength(1000)
  })

  it('answers invalid chunked framing with 400, logs the request and stays up', async () => {
    const raw =
      'POST /bad-chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'

    const answer = await exchangeRaw(raw)

    expect(statusOf(answer)).toBe(400)
    await eventually(() => rows().some((item) => item.url === '/bad-chunks'))
    await expectStillServing()
  })

  it('cuts the connection when the body turns out malformed after the answer has started', async () => {
    const answered = await exchangeRawSlowly([
      'POST /early-answer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
      'zz\r\nnot a chunk\r\n',
    ])

    expect(answered).toMatch(/^HTTP\/1\.1 200 /)
    expect(answered).not.toContain('400 Bad Request')
    await eventually(() => rows().some((item) => item.url === '/early-answer'))
    await expectStillServing()
  })

  it('answers a request in full before refusing garbage sent after it on the same connection', async () => {
    const answer = await exchangeRaw(
      'GET /slow-answer HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02 not a request\r\n\r\n',
    )

    expect(answer).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\nslow okHTTP\/1\.1 400 Bad Request\r\n/)
    await eventually(() => rows().some((item) => item.url === '/slow-answer'))
    const row = rows().find((item) => item.url === '/slow-answer')!
    expect(row.status).toBe(200)
    expect(row.errorCode).toBeUndefined()
    await expectStillServing()
  })

  it('forwards a body larger than the capture cap whole and logs it truncated with its real size', async () => {
    const body = Buffer.alloc(1024 * 1024 + 7, 'b')

    const response = await send(tollgate.url, {
      method: 'POST',
      path: '/upload',
      headers: ['Content-Type', 'application/octet-stream'],
      body,
    })

    expect(response.status).toBe(200)
    const sha256 = createHash('sha256').update(body).digest('hex')
    expect(reached).toEqual([{ line: 'POST /upload', size: body.length, sha256 }])
    const row = rows().find((item) => item.url === '/upload')!
    expect(row).toMatchObject({ requestBodySize: body.length, requestBodyTruncated: true })
    expect(tollgate.store.get(row.id)?.requestBody).toHaveLength(1024)
  })

  it.each([
    [
      'GET',
      'GET http://evil.example/steal HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    ],
    [
      'a WebSocket upgrade',
      'GET http://evil.example/socket HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\n' +
        'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    ],
  ])('refuses %s in absolute form naming another host with 400 and logs it', async (_name, raw) => {
    const answer = await exchangeRaw(raw)

    expect(statusOf(answer)).toBe(400)
    expect(answer).toContain('BAD_REQUEST')
    expect(reached).toEqual([])
    const row = rows().find((item) => item.url.startsWith('http://evil.example/'))
    expect(row).toMatchObject({ status: 400, errorCode: 'BAD_REQUEST' })
    tollgate.store.clear()
  })

  it('refuses CONNECT with 400, logs it and never opens a tunnel', async () => {
    const raw = 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n'

    const answer = await exchangeRaw(raw)

    expect(statusOf(answer)).toBe(400)
    expect(answer).toContain('BAD_REQUEST')
    expect(reached).toEqual([])
    const row = rows().find((item) => item.method === 'CONNECT')
    expect(row).toMatchObject({ kind: 'http', status: 400, url: 'evil.example:443' })
    await expectStillServing()
  })

  it('refuses CONNECT even when it names a path', async () => {
    const answer = await exchangeRaw('CONNECT /tunnel HTTP/1.1\r\nHost: x\r\n\r\n')

    expect(statusOf(answer)).toBe(400)
    expect(reached).toEqual([])
  })

  it('forwards a request line without a version as HTTP/0.9 and logs it', async () => {
    const answer = await exchangeRaw('GET /ancient\r\n\r\n')

    expect(answer).toContain('ok')
    expect(reached.map((request) => request.line)).toEqual(['GET /ancient'])
    await eventually(() => rows().some((item) => item.url === '/ancient'))
    expect(rows().find((item) => item.url === '/ancient')?.httpVersion).toBe('0.9')
  })

  it('answers OPTIONS * with 400 and logs it', async () => {
    const answer = await exchangeRaw('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')

    expect(statusOf(answer)).toBe(400)
    expect(reached).toEqual([])
    expect(rows().find((item) => item.url === '*')).toMatchObject({
      method: 'OPTIONS',
      status: 400,
    })
  })
})
