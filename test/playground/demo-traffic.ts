/**
 * An upstream with varied bodies (compressed, images, binary) and a burst of requests that
 * exercises every state the UI draws: allowed and blocked origins, preflights, 429s.
 */

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'

const PRODUCTS = [
  { id: 1, name: 'Rate-limited widget', price: 12.5, tags: ['metered', 'popular'] },
  { id: 2, name: 'Preflighted gadget', price: 30, tags: ['cors'] },
]

/** A 32x32 PNG with a diagonal gradient, so the image preview has something to show. */
function makePng(): Buffer {
  const size = 32
  const rows = Array.from({ length: size }, (_, y) => {
    const row = Buffer.alloc(1 + size * 3)
    for (let x = 0; x < size; x++) row.set([x * 8, y * 8, 200], 1 + x * 3)
    return row
  })
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const PNG = makePng()

/** Starts the demo upstream on a free loopback port. It reports its own rate-limit budget. */
export async function startDemoUpstream() {
  let upstreamRemaining = 1000
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid')
    upstreamRemaining = Math.max(0, upstreamRemaining - 1)
    const common = {
      'X-RateLimit-Limit': '1000',
      'X-RateLimit-Remaining': String(upstreamRemaining),
      'X-Request-Id': Math.random().toString(36).slice(2, 10),
    }
    const json = JSON.stringify(url.pathname === '/products' ? PRODUCTS : { path: url.pathname })

    req.resume()
    req.on('end', () => {
      if (url.pathname === '/products/gzip') {
        res.writeHead(200, {
          ...common,
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
        })
        return res.end(zlib.gzipSync(JSON.stringify(PRODUCTS)))
      }
      if (url.pathname === '/products/br') {
        res.writeHead(200, {
          ...common,
          'Content-Type': 'application/json',
          'Content-Encoding': 'br',
        })
        return res.end(zlib.brotliCompressSync(JSON.stringify(PRODUCTS)))
      }
      if (url.pathname === '/logo.png') {
        res.writeHead(200, { ...common, 'Content-Type': 'image/png' })
        return res.end(PNG)
      }
      if (url.pathname === '/blob') {
        res.writeHead(200, { ...common, 'Content-Type': 'application/octet-stream' })
        return res.end(Buffer.from(Array.from({ length: 80 }, (_, index) => (index * 37) % 256)))
      }
      if (url.pathname === '/missing') {
        res.writeHead(404, { ...common, 'Content-Type': 'application/json' })
        return res.end(JSON.stringify({ error: 'not_found' }))
      }
      res.writeHead(200, { ...common, 'Content-Type': 'application/json' })
      res.end(json)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

interface DemoRequest {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string
}

const APP = 'http://localhost:3000'
const ALICE = { Authorization: 'Bearer sk_live_alice_4f1e9a2b7c3d9f2c' }
const BOB = { 'X-API-Key': 'sk_test_bob_88a1c0de5e21b7' }

function send(proxyUrl: string, request: DemoRequest) {
  return fetch(proxyUrl + request.path, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
  }).then((response) => response.arrayBuffer())
}

/** One request of a slow rotation, for a live trickle that never exhausts a budget. */
export function sendDemoRequest(proxyUrl: string, index: number) {
  const rotation: DemoRequest[] = [
    { path: '/products', headers: { ...ALICE, Origin: APP } },
    { path: '/products/gzip', headers: { ...BOB } },
    { path: '/products/2', headers: { ...ALICE } },
  ]
  return send(proxyUrl, rotation[index % rotation.length]!)
}

/** Sends a mix of requests through the proxy, in order. */
export async function sendDemoTraffic(proxyUrl: string, burst = 14): Promise<void> {
  const alice = ALICE
  const bob = BOB
  const requests: DemoRequest[] = [
    { path: '/products', headers: { ...alice, Origin: APP } },
    { path: '/products/gzip', headers: { ...alice, 'Accept-Encoding': 'gzip' } },
    { path: '/products/br', headers: { ...alice } },
    { path: '/logo.png', headers: { ...bob, Origin: APP } },
    { path: '/blob', headers: { ...bob } },
    {
      method: 'OPTIONS',
      path: '/orders',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    },
    {
      method: 'POST',
      path: '/orders',
      headers: { ...alice, Origin: APP, 'Content-Type': 'application/json' },
      body: JSON.stringify({ productId: 1, quantity: 2 }),
    },
    { path: '/products', headers: { ...bob, Origin: 'http://localhost:5173' } },
    {
      method: 'OPTIONS',
      path: '/orders',
      headers: {
        Origin: 'https://staging.example.com',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'x-trace-id',
      },
    },
    { path: '/missing', headers: { ...bob } },
    { path: '/health' },
  ]
  for (let index = 0; index < burst; index++) {
    requests.push({ path: `/products?page=${index}`, headers: { ...bob } })
  }

  for (const request of requests) await send(proxyUrl, request)
}
