/**
 * The mock's way out when a recording has no more answers and the policy is "forward": the
 * request goes on to the real upstream as the gateway sent it (its X-Forwarded-* lines included),
 * with only `Host` set to the real upstream's authority, and the answer streams back unchanged.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { errorBody } from '../../../shared/errors'
import type { HeaderList } from '../../../shared/exchange'
import { createUpstreamTarget, type UpstreamTarget } from '../proxy/forward'
import { flattenHeaders, stripHopByHop, toHeaderList } from '../proxy/raw-headers'

// Fields of the gateway-to-mock connection, and Host, which is set anew for the real upstream.
const CONNECTION_FIELDS = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'te'])

/** Relays requests to the real upstream, keeping one keep-alive connection pool per URL. */
export interface UpstreamForwarder {
  /** Relays `req` to `upstream` and its answer back to `res`. */
  forward(req: IncomingMessage, res: ServerResponse, upstream: string): void
  /** Closes the pooled connections. */
  close(): void
}

/** Creates a forwarder for the mock of `session`, which its errors name. */
export function createUpstreamForwarder(session: string): UpstreamForwarder {
  // Replaced when the configured upstream changes.
  let cached: UpstreamTarget | undefined
  const targetFor = (upstream: string) => {
    if (cached?.url.href !== new URL(upstream).href) {
      cached?.agent.destroy()
      cached = createUpstreamTarget(upstream)
    }
    return cached
  }

  return {
    forward(req, res, upstream) {
      const target = targetFor(upstream)
      const outgoing = relay(req, res, target)
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (res.headersSent) return void res.destroy()
        const cause = error.code ? `${error.code} (${error.message})` : error.message
        const message = `The recording "${session}" had no more answers for ${req.method} ${req.url}, and the real upstream ${target.url.origin} could not be reached: ${cause}. Start the upstream, or mock with whenExhausted "404".`
        const body = JSON.stringify(errorBody('UPSTREAM_UNREACHABLE', message))
        res.writeHead(502, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        })
        res.end(body)
      })
    },
    close() {
      cached?.agent.destroy()
    },
  }
}

function relay(req: IncomingMessage, res: ServerResponse, target: UpstreamTarget) {
  const headers = relayedHeaders(toHeaderList(req.rawHeaders), target.authority)

  const outgoing = target.request({
    protocol: target.url.protocol,
    hostname: target.url.hostname,
    port: target.url.port,
    method: req.method,
    path: target.basePath + (req.url ?? '/'),
    headers: flattenHeaders(headers) as unknown as Record<string, string>,
    agent: target.agent,
    setHost: false,
  })

  outgoing.on('response', (upstream) => {
    const answer = stripHopByHop(toHeaderList(upstream.rawHeaders))
    res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage ?? '', flattenHeaders(answer))
    upstream.pipe(res)
    upstream.on('close', () => {
      if (!upstream.complete) res.destroy()
    })
  })
  res.on('close', () => {
    if (!res.writableFinished) outgoing.destroy()
  })
  req.pipe(outgoing)
  return outgoing
}

/**
 * The gateway's request as the real upstream gets it: `Host` set to the upstream's authority and
 * the fields of the gateway-to-mock connection dropped. `Transfer-Encoding` stays, so Node frames
 * the body the way the gateway did.
 */
function relayedHeaders(lines: HeaderList, authority: string): HeaderList {
  const out: HeaderList = [['Host', authority]]
  for (const line of lines) {
    if (!CONNECTION_FIELDS.has(line[0].toLowerCase())) out.push(line)
  }
  return out
}
