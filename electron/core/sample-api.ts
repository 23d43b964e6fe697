import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** A running sample API. */
export interface SampleApi {
  url: string
  close(): Promise<void>
}

const PRODUCTS = [
  { id: 1, name: 'Rate-limited widget', price: 12.5 },
  { id: 2, name: 'Preflighted gadget', price: 30 },
  { id: 3, name: 'Cross-origin gizmo', price: 7.25 },
]

/**
 * Starts a small JSON API on a free loopback port: what Tollgate forwards to when no upstream is
 * configured, so a first run shows the whole loop. `GET /events` streams server-sent events.
 */
export function startSampleApi(host = '127.0.0.1'): Promise<SampleApi> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sample.invalid')
    const json = (status: number, value: unknown) => {
      const body = JSON.stringify(value)
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'X-Request-Id': Math.random().toString(36).slice(2, 10),
      })
      res.end(body)
    }

    if (url.pathname === '/' || url.pathname === '/health') {
      return json(200, { ok: true, endpoints: ['/products', '/products/:id', '/echo', '/events'] })
    }
    if (url.pathname === '/products' && req.method === 'GET') return json(200, PRODUCTS)

    const product = /^\/products\/(\d+)$/.exec(url.pathname)
    if (product && req.method === 'GET') {
      const found = PRODUCTS.find((item) => item.id === Number(product[1]))
      return found ? json(200, found) : json(404, { error: 'not_found' })
    }

    if (url.pathname === '/echo') {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () =>
        json(200, {
          method: req.method,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      )
      return
    }

    if (url.pathname === '/events')
      return streamEvents(res, Number(url.searchParams.get('count') ?? 5))
    json(404, { error: 'not_found', path: url.pathname })
  })

  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}

/** Sends `count` events a second apart, then ends the stream. */
function streamEvents(res: http.ServerResponse, count: number): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  let sent = 0
  const send = () => {
    res.write(
      `id: ${sent}\ndata: ${JSON.stringify({ tick: sent, at: new Date().toISOString() })}\n\n`,
    )
    sent += 1
    if (sent >= count) {
      clearInterval(timer)
      res.end()
    }
  }
  const timer = setInterval(send, 1000)
  res.on('close', () => clearInterval(timer))
  send()
}
