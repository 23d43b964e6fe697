import http from 'node:http'
import https from 'node:https'
import type { IncomingMessage } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { HeaderList } from '../../../shared/exchange'
import type { ErrorCode } from '../../../shared/errors'
import { forwardedRequestHeaders, stripHopByHop, toHeaderList } from './raw-headers'
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

/**
 * Stops reusing `target`'s connections without cutting any exchange still on them: idle ones
 * close now, busy ones as soon as their exchange ends.
 */
export function retireUpstreamTarget(target: UpstreamTarget): void {
  // The agent reads this each time a socket comes free, and closes the socket when it is off.
  ;(target.agent as http.Agent & { keepAlive: boolean }).keepAlive = false
  for (const sockets of Object.values(target.agent.freeSockets)) {
    for (const socket of sockets ?? []) socket.destroy()
  }
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
  capture: BodyCapture
  /** Watches how long the upstream takes to send its response headers. */
  deadlines: ResponseDeadlines
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
  const method = req.method ?? 'GET'
  const forwarded = forwardedRequestHeaders(req.rawHeaders, {
    upstreamHost: target.authority,
    clientAddress: options.clientAddress,
    proto: 'http',
    method,
  })

  const upstreamReq = target.request({
    protocol: target.url.protocol,
    hostname: target.url.hostname,
    port: target.url.port,
    method,
    path: target.basePath + (req.url ?? '/'),
    headers: forwarded.headers as unknown as http.OutgoingHttpHeaders,
    agent: target.agent,
    setHost: false,
  })
  let settled = false

  const fail = (code: ErrorCode, message: string) => {
    if (settled) return
    settled = true
    callbacks.onFailure(code, message)
  }

  // The allowance runs only while the upstream is the one holding things up: once it has the
  // whole request, or while it is not reading the body. A slow upload is not a slow upstream.
  let deadline: Deadline | undefined
  const upstreamsTurn = () => {
    if (settled) return
    if (deadline) deadline.done = true
    deadline = options.deadlines.watch(() => {
      fail('UPSTREAM_TIMEOUT', options.deadlines.describeTimeout(target.url.origin))
      upstreamReq.destroy()
    })
  }
  const clientsTurn = () => {
    if (deadline) deadline.done = true
  }

  upstreamReq.on('response', (upstreamRes) => {
    if (deadline) deadline.done = true
    if (settled) {
      upstreamRes.resume()
      return
    }
    settled = true
    callbacks.onResponse(upstreamRes, stripHopByHop(toHeaderList(upstreamRes.rawHeaders)))
  })

  upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
    if (deadline) deadline.done = true
    fail('UPSTREAM_UNREACHABLE', describeConnectError(target.url.origin, error))
  })

  if (forwarded.hasBody) {
    streamBody(req, upstreamReq, options.capture, { blocked: upstreamsTurn, flowing: clientsTurn })
    upstreamReq.once('finish', upstreamsTurn)
  } else {
    upstreamsTurn()
    upstreamReq.end()
  }
  return upstreamReq
}

/**
 * Copies the client's body to the upstream as it arrives, keeping a copy and the pace. `pace`
 * hears when the upstream stops taking the body and when it takes it again.
 */
function streamBody(
  req: IncomingMessage,
  upstreamReq: http.ClientRequest,
  capture: BodyCapture,
  pace: { blocked(): void; flowing(): void },
) {
  req.on('data', (chunk: Buffer) => {
    capture.push(chunk)
    if (upstreamReq.destroyed || upstreamReq.write(chunk)) return
    req.pause()
    pace.blocked()
  })
  upstreamReq.on('drain', () => {
    pace.flowing()
    req.resume()
  })
  // An upstream that failed or hung up mid-body takes no more of it, but the rest is still read:
  // the log gets all of it, and the client's connection is free for its next request.
  upstreamReq.on('close', () => req.resume())
  req.on('end', () => upstreamReq.end())
}

interface Deadline {
  at: number
  /** Set once the response headers arrived or the request failed: the deadline no longer applies. */
  done: boolean
  expire(): void
}

/**
 * How long each forwarded request may wait for the upstream's response headers. Every request
 * gets the same allowance, so deadlines expire in the order they were set: one queue and one
 * timer serve them all, instead of a timer per request.
 */
export class ResponseDeadlines {
  private readonly queue: Deadline[] = []
  private head = 0
  private timer: NodeJS.Timeout | undefined

  /** `timeoutMs` 0 waits for ever. */
  constructor(private readonly timeoutMs: number) {}

  describeTimeout(origin: string): string {
    return `${origin} sent no response within ${this.timeoutMs} ms. Check that the upstream is healthy, or raise the upstream timeout.`
  }

  /** Calls `expire` after the allowance, unless the returned deadline is marked done first. */
  watch(expire: () => void): Deadline {
    const deadline: Deadline = { at: performance.now() + this.timeoutMs, done: false, expire }
    if (this.timeoutMs <= 0) return deadline
    this.dropSettled()
    this.queue.push(deadline)
    this.timer ??= this.arm(this.timeoutMs)
    return deadline
  }

  /** Stops the timer; deadlines still open never expire. */
  close(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.queue.length = 0
    this.head = 0
  }

  private arm(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.expireDue(), Math.max(0, delayMs))
    timer.unref()
    return timer
  }

  private expireDue(): void {
    this.timer = undefined
    const now = performance.now()
    while (this.head < this.queue.length) {
      const deadline = this.queue[this.head]!
      if (!deadline.done && deadline.at > now) break
      this.head++
      if (!deadline.done) {
        deadline.done = true
        deadline.expire()
      }
    }
    this.compact()
    const next = this.queue[this.head]
    if (next) this.timer = this.arm(next.at - now)
  }

  // Most requests are answered long before their deadline, so the front of the queue is usually
  // settled and can go at once; the queue then holds only what is actually waiting.
  private dropSettled(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.done) this.head++
    this.compact()
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head)
      this.head = 0
    }
  }
}

/** Why the upstream could not be reached or read, and what would fix it. */
export function describeConnectError(origin: string, error: NodeJS.ErrnoException): string {
  const cause = error.code ? `${error.code} (${error.message})` : error.message
  // Node's parser codes start with HPE_: the upstream was reached, but its answer is malformed.
  if (error.code?.startsWith('HPE_')) {
    return `The upstream ${origin} answered with a response that is not valid HTTP: ${cause}. Fix the response the upstream sends.`
  }
  return `Could not reach the upstream ${origin}: ${cause}. Start the upstream, or point Tollgate at the right one with --upstream.`
}
