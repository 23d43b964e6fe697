import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { demoPagePolicy, renderDemoPage, type DemoSide } from './demo-page'

/** The two demo pages, each on a loopback port of its own and so an origin of its own. */
export interface DemoPages {
  /** The page whose origin Tollgate allows, e.g. `http://127.0.0.1:41234/`. */
  allowedUrl: string
  /** The same page from an origin that is not on the allowlist. */
  blockedUrl: string
  allowedOrigin: string
  blockedOrigin: string
  close(): Promise<void>
}

export interface DemoPagesOptions {
  /** The proxy as the pages' script reaches it. */
  proxyUrl: string
  /** A loopback address; the pages are served there and nowhere else. */
  host: string
  /** Port of the allowed page; 0 (the default) picks a free one, so nothing can collide. */
  port?: number
  /** Port of the page left off the allowlist; 0 by default. */
  blockedPort?: number
  /** The key the pages' requests carry. */
  apiKey: string
}

/** Serves the demo page on two loopback ports: one origin to allow, one to leave off the list. */
export async function startDemoPages(options: DemoPagesOptions): Promise<DemoPages> {
  const servers = {
    allowed: http.createServer((request, response) => answer('allowed', request, response)),
    blocked: http.createServer((request, response) => answer('blocked', request, response)),
  }

  // Both ports are known before either page is served, since each links to the other.
  let origins: Record<DemoSide, string>
  const answer = (side: DemoSide, request: http.IncomingMessage, response: http.ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://demo.invalid').pathname
    if (path !== '/' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      response.end('The demo page is at /.\n')
      return
    }
    const page = renderDemoPage({
      side,
      proxyUrl: options.proxyUrl,
      origin: origins[side],
      otherUrl: `${origins[side === 'allowed' ? 'blocked' : 'allowed']}/`,
      apiKey: options.apiKey,
    })
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(page),
      'Content-Security-Policy': demoPagePolicy(options.proxyUrl),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    })
    response.end(request.method === 'HEAD' ? undefined : page)
  }

  const started: http.Server[] = []
  try {
    const allowedPort = await listen(servers.allowed, options.port ?? 0, options.host)
    started.push(servers.allowed)
    const blockedPort = await listen(servers.blocked, options.blockedPort ?? 0, options.host)
    started.push(servers.blocked)
    const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host
    origins = {
      allowed: `http://${hostForUrl}:${allowedPort}`,
      blocked: `http://${hostForUrl}:${blockedPort}`,
    }
  } catch (error) {
    await Promise.all(started.map(close))
    throw error
  }

  return {
    allowedUrl: `${origins.allowed}/`,
    blockedUrl: `${origins.blocked}/`,
    allowedOrigin: origins.allowed,
    blockedOrigin: origins.blocked,
    close: async () => {
      await Promise.all(started.map(close))
    },
  }
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === 'EADDRINUSE' ? 'the port is taken; pass 0 for any free port' : error.message
      reject(new Error(`The demo page could not listen on ${host}:${port}: ${hint}.`))
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
