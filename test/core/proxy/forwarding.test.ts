import { createHash } from 'node:crypto'
import http from 'node:http'
import zlib from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import {
  rawValues,
  send,
  sendRaw,
  startServer,
  startTollgate,
  type TestServer,
} from '../../support/servers'

type Running = Awaited<ReturnType<typeof startTollgate>>
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function setUp(
  handler: http.RequestListener,
): Promise<{ upstream: TestServer; tollgate: Running }> {
  const upstream = await startServer(handler)
  const tollgate = await startTollgate({ upstream: upstream.url, rateLimit: { limit: 100_000 } })
  cleanups.push(upstream.close, tollgate.stop)
  return { upstream, tollgate }
}

interface Received {
  rawHeaders: string[]
  body: Buffer
}

/** An upstream that remembers what it received and answers with `answer`. */
function recordingUpstream(received: Received[], answer: (res: http.ServerResponse) => void) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) })
      answer(res)
    })
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('forwarding', () => {
  it('relays three Set-Cookie lines byte for byte, in order, and logs all three', async () => {
    const cookies = [
      'a=1; Path=/',
      'b="x, y"; HttpOnly',
      'c=3; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
    ]
    const { tollgate } = await setUp((_req, res) => {
      res.writeHead(
        200,
        cookies.flatMap((cookie) => ['Set-Cookie', cookie]),
      )
      res.end('ok')
    })

    const response = await send(tollgate.url, { path: '/cookies' })
    tollgate.store.flush()

    expect(rawValues(response.rawHeaders, 'set-cookie')).toEqual(cookies)
    const logged = tollgate.store.list({}).items[0]!
    const loggedCookies = logged.responseHeaders!.filter(([name]) => name === 'Set-Cookie')
    expect(loggedCookies.map(([, value]) => value)).toEqual(cookies)
  })

  it('keeps the original spelling of header names in both directions', async () => {
    const received: Received[] = []
    const { tollgate } = await setUp(
      recordingUpstream(received, (res) => {
        res.writeHead(401, ['X-Request-ID', 'r-1', 'WWW-Authenticate', 'Bearer realm="api"'])
        res.end()
      }),
    )

    const response = await send(tollgate.url, { headers: ['X-Tenant-Id', 't-9'] })

    expect(received[0]!.rawHeaders).toContain('X-Tenant-Id')
    expect(response.rawHeaders).toContain('X-Request-ID')
    expect(response.rawHeaders).toContain('WWW-Authenticate')
    expect(rawValues(response.rawHeaders, 'www-authenticate')).toEqual(['Bearer realm="api"'])
  })

  it('sends a bodiless POST and a GET upstream with no chunked framing and no body', async () => {
    const received: Received[] = []
    const { tollgate } = await setUp(recordingUpstream(received, (res) => res.end('ok')))

    // Written by hand: Node's own client would add framing to the POST.
    for (const method of ['POST', 'GET']) {
      await sendRaw(
        tollgate.port,
        `${method} /empty HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      )
    }

    expect(received).toHaveLength(2)
    for (const request of received) {
      expect(rawValues(request.rawHeaders, 'transfer-encoding')).toEqual([])
      expect(request.body.length).toBe(0)
    }
    expect(rawValues(received[0]!.rawHeaders, 'content-length')).toEqual(['0'])
  })

  it('forwards and logs request bodies as the exact bytes the client sent', async () => {
    const received: Received[] = []
    const { tollgate } = await setUp(recordingUpstream(received, (res) => res.end('ok')))
    const bodies = [
      { method: 'POST', type: 'application/json', body: '{ "name" :  "spaced" ,\n  "n": 1 }' },
      { method: 'POST', type: 'application/x-www-form-urlencoded', body: 'a=1&b=two+words&c=%26' },
      { method: 'POST', type: 'application/json', body: 'true' },
      { method: 'PUT', type: 'text/plain', body: '' },
    ]

    for (const { method, type, body } of bodies) {
      await send(tollgate.url, {
        method,
        headers: ['Content-Type', type, 'Content-Length', String(Buffer.byteLength(body))],
        body,
      })
    }
    tollgate.store.flush()

    const logged = tollgate.store.list({}).items.reverse()
    bodies.forEach(({ body }, index) => {
      expect(received[index]!.body.toString()).toBe(body)
      const row = tollgate.store.get(logged[index]!.id)!
      expect(Buffer.from(row.requestBody).toString()).toBe(body)
      expect(row.requestBodySize).toBe(Buffer.byteLength(body))
    })
  })

  it('stores response bytes that hash the same as what the client received', async () => {
    const json = Buffer.from(JSON.stringify({ hello: 'world', list: [1, 2, 3] }))
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    )
    const latin1 = Buffer.from('caf\xe9 cr\xe8me br\xfbl\xe9e', 'latin1')
    const variants: Record<string, { headers: string[]; chunks: Buffer[] }> = {
      '/gzip': { headers: ['Content-Encoding', 'gzip'], chunks: [zlib.gzipSync(json)] },
      '/br': { headers: ['Content-Encoding', 'br'], chunks: [zlib.brotliCompressSync(json)] },
      '/deflate': { headers: ['Content-Encoding', 'deflate'], chunks: [zlib.deflateSync(json)] },
      '/png': { headers: ['Content-Type', 'image/png'], chunks: [png] },
      '/latin1': {
        headers: ['Content-Type', 'text/plain; charset=iso-8859-1'],
        // Split so a chunk boundary falls inside the text, right before 0xE9.
        chunks: [latin1.subarray(0, 3), latin1.subarray(3, 9), latin1.subarray(9)],
      },
    }
    const { tollgate } = await setUp((req, res) => {
      const variant = variants[req.url!]!
      res.writeHead(200, variant.headers)
      const write = (index: number) => {
        if (index === variant.chunks.length) return res.end()
        res.write(variant.chunks[index])
        setTimeout(() => write(index + 1), 5)
      }
      write(0)
    })

    for (const path of Object.keys(variants)) {
      const response = await send(tollgate.url, { path })
      tollgate.store.flush()
      const row = tollgate.store.get(tollgate.store.list({ limit: 1 }).items[0]!.id)!

      expect(row.url).toBe(path)
      expect(sha256(response.body)).toBe(sha256(Buffer.concat(variants[path]!.chunks)))
      expect(sha256(row.responseBody)).toBe(sha256(response.body))
    }
  })

  it('rewrites Host to the upstream and adds X-Forwarded headers', async () => {
    const received: Received[] = []
    const { upstream, tollgate } = await setUp(recordingUpstream(received, (res) => res.end()))

    await send(tollgate.url, {
      headers: ['Host', 'app.localhost:8787', 'X-Forwarded-For', '10.1.1.1'],
    })

    const headers = received[0]!.rawHeaders
    expect(rawValues(headers, 'host')).toEqual([`127.0.0.1:${upstream.port}`])
    expect(rawValues(headers, 'x-forwarded-host')).toEqual(['app.localhost:8787'])
    expect(rawValues(headers, 'x-forwarded-proto')).toEqual(['http'])
    expect(rawValues(headers, 'x-forwarded-for')).toEqual(['10.1.1.1, 127.0.0.1'])
  })

  it('keeps repeated request headers on separate lines', async () => {
    const received: Received[] = []
    const { tollgate } = await setUp(recordingUpstream(received, (res) => res.end()))

    await send(tollgate.url, { headers: ['Cookie', 'a=1', 'X-Trace', 'one', 'Cookie', 'b=2'] })

    expect(rawValues(received[0]!.rawHeaders, 'cookie')).toEqual(['a=1', 'b=2'])
  })

  it.each([
    ['one line', 'Transfer-Encoding: gzip, chunked\r\n'],
    ['two lines', 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n'],
  ])(
    'forwards a body whose codings end in chunked (%s) with its codings, and logs it',
    async (_, codings) => {
      const received: Received[] = []
      const { tollgate } = await setUp(recordingUpstream(received, (res) => res.end('ok')))
      const gzipped = zlib.gzipSync('{"compressed": true}')
      const chunks = [gzipped.subarray(0, 7), gzipped.subarray(7)]
        .map((chunk) => `${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`)
        .join('')

      const answer = await sendRaw(
        tollgate.port,
        Buffer.from(
          `POST /upload HTTP/1.1\r\nHost: x\r\n${codings}Connection: close\r\n\r\n${chunks}0\r\n\r\n`,
          'latin1',
        ),
      )
      tollgate.store.flush()

      expect(answer).toMatch(/^HTTP\/1\.1 200/)
      expect(rawValues(received[0]!.rawHeaders, 'transfer-encoding')).toEqual(['gzip, chunked'])
      expect(received[0]!.body.equals(gzipped)).toBe(true)
      const row = tollgate.store.get(tollgate.store.list({}).items[0]!.id)!
      expect(sha256(row.requestBody)).toBe(sha256(gzipped))
      expect(row.requestBodySize).toBe(gzipped.length)
    },
  )

  it('refuses a request in absolute form naming another host, and logs it', async () => {
    const received: Received[] = []
    const { tollgate } = await setUp(recordingUpstream(received, (res) => res.end('ok')))

    const answer = await sendRaw(
      tollgate.port,
      'GET http://other.example/admin HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n',
    )
    tollgate.store.flush()

    expect(answer).toMatch(/^HTTP\/1\.1 400/)
    expect(answer).toContain('BAD_REQUEST')
    expect(received).toHaveLength(0)
    expect(tollgate.store.list({}).items[0]).toMatchObject({
      status: 400,
      errorCode: 'BAD_REQUEST',
    })
  })
})

describe('large bodies at the reader’s pace', () => {
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const big = Buffer.alloc(16 * 1024 * 1024, 0)
  for (let index = 0; index < big.length; index += 4096) big[index] = index % 251

  it('relays 16 MiB each way to a reader that pauses, byte for byte', async () => {
    let uploaded = ''
    const { tollgate } = await setUp((req, res) => {
      // Read the upload slowly at first, so the body has to wait at Tollgate's side.
      req.pause()
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      setTimeout(() => req.resume(), 300)
      req.on('end', () => {
        uploaded = sha(Buffer.concat(chunks))
        res.writeHead(200, { 'Content-Length': big.length })
        res.end(big)
      })
    })

    const downloaded = await new Promise<Buffer>((resolve, reject) => {
      const req = http.request(`${tollgate.url}/bulk`, { method: 'POST' }, (res) => {
        // The client also waits before reading, so the answer has to wait at Tollgate's side.
        res.pause()
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve(Buffer.concat(chunks)))
        void pause(300).then(() => res.resume())
      })
      req.on('error', reject)
      req.end(big)
    })

    expect(uploaded).toBe(sha(big))
    expect(sha(downloaded)).toBe(sha(big))
  })
})
