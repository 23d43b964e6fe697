import http from 'node:http'
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import type { HeaderList } from '../../../shared/exchange'
import type { ErrorCode } from '../../../shared/errors'
import { flattenHeaders, forwardedRequestHeaders, toHeaderList } from './raw-headers'
import { BodyCapture } from './body-capture'

/** Where requests go, parsed once from the configured upstream URL. */
export interface UpstreamTarget {
  url: URL
  /** `host[:port]` as the upstream expects it in `Host`. */
  authority: string
  /** Path prefix from the upstream URL, joined in front of every request path. */
  basePath: string
  agent: http.Agent
  request: typeof http.request
}

/** Parses an upstream URL into a target with its own keep-alive agent. */
export function createUpstreamTarget(upstream: string): UpstreamTarget {
  const url = new URL(upstream)
  const secure = url.protocol === 'https:'
  // Idle sockets are kept as freely as busy ones are opened: closing them after a burst only
  // means opening them again on the next one.
  const options = {
    keepAlive: true,
    maxSockets: 1024,
    maxFreeSockets: 1024,
    scheduling: 'lifo' as const,
  }
  return {
    url,
    authority: url.host,
    basePath: url.pathname.replace(/\/$/, ''),
    agent: secure ? new https.Agent(options) : new http.Agent(options),
    request: secure ? https.request : http.request,
  }
}

export interface ForwardCallbacks {
  /** Upstream answered: decide the headers to send and start streaming. */
  onResponse(upstream: IncomingMessage, headers: HeaderList): void
  /** The upstream could not be reached, or did not answer in time. */
  onFailure(code: ErrorCode, message: string): void
}

export interface ForwardOptions {
  target: UpstreamTarget
  clientAddress: string
  requestHeaders: HeaderList
  capture: BodyCapture
  /** How long to wait for the upstream's response headers; 0 waits forever. */
  headersTimeoutMs: number
}

/**
 * Sends the client's request to the upstream, streaming its body while `capture` keeps a copy.
 * Returns the upstream request so the caller can abort it when the client goes away.
 */
export function forwardRequest(
  req: IncomingMessage,
  options: ForwardOptions,
  callbacks: ForwardCallbacks,
): http.ClientRequest {
  const { target } = options
  const headers = forwardedRequestHeaders(options.requestHeaders, {
    upstreamHost: target.authority,
    clientAddress: options.clientAddress,
    proto: 'http',
    method: req.method ?? 'GET',
  })

  const upstreamReq = target.request({
    protocol: target.url.protocol,
    hostname: target.url.hostname,
    port: target.url.port,
    method: req.method,
    path: target.basePath + (req.url ?? '/'),
    headers: flattenHeaders(headers) as unknown as http.OutgoingHttpHeaders,
    agent: target.agent,
    setHost: false,
  })
  let settled = false

  const fail = (code: ErrorCode, message: string) => {
    if (settled) return
    settled = true
    callbacks.onFailure(code, message)
  }

  const timer =
    options.headersTimeoutMs > 0
      ? setTimeout(() => {
          fail(
            'UPSTREAM_TIMEOUT',
            `${target.url.origin} sent no response within ${options.headersTimeoutMs} ms. Check that the upstream is healthy, or raise the upstream timeout.`,
          )
          upstreamReq.destroy()
        }, options.headersTimeoutMs)
      : undefined

  upstreamReq.on('response', (upstreamRes) => {
    clearTimeout(timer)
    if (settled) {
      upstreamRes.resume()
      return
    }
    settled = true
    callbacks.onResponse(upstreamRes, toHeaderList(upstreamRes.rawHeaders))
  })

  upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
    clearTimeout(timer)
    fail('UPSTREAM_UNREACHABLE', describeConnectError(target.url.origin, error))
  })

  req.on('data', (chunk: Buffer) => options.capture.push(chunk))
  req.pipe(upstreamReq)
  return upstreamReq
}

function describeConnectError(origin: string, error: NodeJS.ErrnoException): string {
  const cause = error.code ? `${error.code} (${error.message})` : error.message
  // Node's parser codes start with HPE_: the upstream was reached, but its answer is malformed.
  if (error.code?.startsWith('HPE_')) {
    return `The upstream ${origin} answered with a response that is not valid HTTP: ${cause}. Fix the response the upstream sends.`
  }
  return `Could not reach the upstream ${origin}: ${cause}. Start the upstream, or point Tollgate at the right one with --upstream.`
}
