import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ExchangeKind, ExchangeRecord, HeaderList } from '../../../shared/exchange'
import { errorBody, type ErrorCode } from '../../../shared/errors'
import type { Logger } from '../logger'
import { BodyCapture, relayCaptured } from './body-capture'
import { forwardRequest, ResponseDeadlines, type UpstreamTarget } from './forward'
import { flattenHeaders, normalizeAddress, toHeaderList } from './raw-headers'

/** One incoming request, as the policies see it before anything is answered. */
export interface GatewayRequest {
  id: number
  /** Node's flat `[name, value, ...]` list, for policies that scan it without allocating. */
  rawHeaders: string[]
  method: string
  url: string
  headers: HeaderList
  clientAddress: string
  startedAt: number
}

/** Reads what the policies need from an incoming request, before any of its body arrives. */
export function describeRequest(req: IncomingMessage, id: number, now: number): GatewayRequest {
  return {
    id,
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    rawHeaders: req.rawHeaders,
    headers: toHeaderList(req.rawHeaders),
    clientAddress: normalizeAddress(req.socket.remoteAddress),
    startedAt: now,
  }
}

/** An answer Tollgate gives itself instead of forwarding (a preflight, a 429). */
export interface LocalAnswer {
  kind: ExchangeKind
  status: number
  headers: HeaderList
  body: string
}

/** What the policies decided for one request. */
export interface Decision {
  answer?: LocalAnswer
  /** What the policies add to the log row as soon as they have decided. */
  fields: Partial<ExchangeRecord>
  /**
   * Called once with the response about to go out (forwarded, answered locally, or an error):
   * returns the headers to send instead and what the row learns from the response.
   */
  respond(headers: HeaderList, status: number): ResponseOutcome
}

export interface ResponseOutcome {
  headers: HeaderList
  fields?: Partial<ExchangeRecord>
}

export interface GatewayOptions {
  target(): UpstreamTarget
  decide(request: GatewayRequest): Decision
  record(exchange: ExchangeRecord): void
  nextId(): number
  clock(): number
  maxBodyBytes(): number
  headersTimeoutMs: number
  logger: Logger
}

/** Per-exchange state, filled in as the exchange progresses. */
interface Exchange {
  request: GatewayRequest
  req: IncomingMessage
  decision: Decision
  requestCapture: BodyCapture
  responseCapture: BodyCapture
  kind: ExchangeKind
  status?: number
  firstByteAt?: number
  responseHeaders?: HeaderList
  completed?: Partial<ExchangeRecord>
  errorCode?: ErrorCode
  errorMessage?: string
  recorded: boolean
}

const ABORTED = {
  errorCode: 'CLIENT_ABORTED',
  errorMessage: 'The client closed the connection before the response was complete.',
} as const
const STOPPED = {
  errorCode: 'PROXY_STOPPED',
  errorMessage: 'Tollgate stopped before the response was complete, and closed the connection.',
} as const

/** Creates the HTTP request handler at the heart of the proxy. */
export function createRequestHandler(options: GatewayOptions) {
  const { clock, logger } = options
  const deadlines = new ResponseDeadlines(options.headersTimeoutMs)
  let stopping = false

  const finish = (exchange: Exchange) => {
    if (exchange.recorded) return
    exchange.recorded = true
    const { request, requestCapture, responseCapture } = exchange

    options.record({
      id: request.id,
      kind: exchange.kind,
      startedAt: request.startedAt,
      firstByteAt: exchange.firstByteAt,
      endedAt: clock(),
      method: request.method,
      url: request.url,
      httpVersion: exchange.req.httpVersion,
      status: exchange.status,
      clientAddress: request.clientAddress,
      requestHeaders: request.headers,
      responseHeaders: exchange.responseHeaders,
      requestBody: requestCapture.bytes(),
      requestBodySize: requestCapture.size,
      requestBodyTruncated: requestCapture.truncated,
      responseBody: responseCapture.bytes(),
      responseBodySize: responseCapture.size,
      responseBodyTruncated: responseCapture.truncated,
      errorCode: exchange.errorCode,
      errorMessage: exchange.errorMessage,
      ...exchange.decision.fields,
      ...exchange.completed,
    })
  }

  // Answered before the body was all sent (a 429, a 502, an upstream that answers early): the
  // rest is still read, and the row waits for it so that it holds the whole body, or for the
  // connection to close if the client stops sending. Node no longer tracks a request whose answer
  // has finished, so the socket's close is watched as well as the request's own end.
  // A connection the request asked to close (`Connection: close`) is closed by Node once the
  // answer is out, so a body cut short there is no one's abort.
  const finishAfterBody = (exchange: Exchange, closesAfterAnswer: boolean) => {
    const { req } = exchange
    const socket = req.socket
    const done = () => {
      req.off('end', done)
      req.off('close', done)
      socket.off('close', done)
      if (!req.complete && exchange.errorCode === undefined && !closesAfterAnswer) {
        exchange.errorCode = stopping ? STOPPED.errorCode : ABORTED.errorCode
        exchange.errorMessage = `${stopping ? 'Tollgate stopped' : 'The client closed the connection'} before the whole request body had arrived (${exchange.requestCapture.size} bytes did).`
      }
      finish(exchange)
    }
    req.once('end', done)
    req.once('close', done)
    socket.once('close', done)
  }

  const sendLocal = (exchange: Exchange, res: ServerResponse, answer: LocalAnswer) => {
    const body = Buffer.from(answer.body)
    const base: HeaderList = [...answer.headers]
    if (answer.status !== 204 && answer.status !== 304) {
      base.push(['Content-Length', String(body.length)])
    }
    const { headers, fields } = exchange.decision.respond(base, answer.status)

    exchange.kind = answer.kind
    exchange.status = answer.status
    exchange.firstByteAt = clock()
    exchange.responseHeaders = headers
    exchange.completed = fields
    // A HEAD's answer states the body's length but carries no body, and the log says so.
    if (exchange.request.method !== 'HEAD') exchange.responseCapture.push(body)
    res.writeHead(answer.status, http.STATUS_CODES[answer.status] ?? '', flattenHeaders(headers))
    res.end(answer.status === 204 ? undefined : body)
  }

  const sendError = (exchange: Exchange, res: ServerResponse, code: ErrorCode, message: string) => {
    exchange.errorCode = code
    exchange.errorMessage = message
    if (res.headersSent) {
      res.destroy()
      return
    }
    const status = code === 'UPSTREAM_TIMEOUT' ? 504 : 502
    sendLocal(exchange, res, {
      kind: exchange.kind,
      status,
      headers: [['Content-Type', 'application/json']],
      body: JSON.stringify(errorBody(code, message)),
    })
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const request = describeRequest(req, options.nextId(), clock())
    const capLimit = options.maxBodyBytes()
    const exchange: Exchange = {
      request,
      req,
      decision: request.url.startsWith('/')
        ? options.decide(request)
        : refuseForeignTarget(request),
      requestCapture: new BodyCapture(capLimit),
      responseCapture: new BodyCapture(capLimit),
      kind: 'http',
      recorded: false,
    }

    let upstreamReq: http.ClientRequest | undefined
    res.on('close', () => {
      if (!res.writableFinished && exchange.errorCode === undefined) {
        Object.assign(exchange, stopping ? STOPPED : ABORTED)
        upstreamReq?.destroy()
      }
      if (req.complete || req.destroyed) finish(exchange)
      else finishAfterBody(exchange, !res.shouldKeepAlive)
    })

    const answer = exchange.decision.answer
    if (answer) {
      // The body is never forwarded, but it is still read so the log shows what was sent.
      req.on('data', (chunk: Buffer) => exchange.requestCapture.push(chunk))
      req.resume()
      sendLocal(exchange, res, answer)
      return
    }

    upstreamReq = forwardRequest(
      req,
      {
        target: options.target(),
        clientAddress: request.clientAddress,
        capture: exchange.requestCapture,
        deadlines,
      },
      {
        onResponse(upstreamRes, upstreamHeaders) {
          const status = upstreamRes.statusCode ?? 502
          const outcome = exchange.decision.respond(upstreamHeaders, status)
          const headers = outcome.headers
          exchange.firstByteAt = clock()
          exchange.status = status
          exchange.responseHeaders = headers
          exchange.completed = outcome.fields

          try {
            res.writeHead(status, upstreamRes.statusMessage ?? '', flattenHeaders(headers))
          } catch (error) {
            upstreamRes.destroy()
            exchange.status = undefined
            const reason = error instanceof Error ? error.message : String(error)
            sendError(
              exchange,
              res,
              'UPSTREAM_UNREACHABLE',
              `The upstream sent a response Node cannot relay: ${reason}. Fix the upstream's headers.`,
            )
            return
          }
          relayBody(upstreamRes, res, exchange, upstreamReq!)
        },
        onFailure(code, message) {
          logger.debug(`${request.method} ${request.url}: ${message}`)
          // The connection is gone (the client left, or Tollgate is stopping): nobody to answer.
          if (exchange.errorCode === ABORTED.errorCode || exchange.errorCode === STOPPED.errorCode)
            return
          sendError(exchange, res, code, message)
        },
      },
    )
  }

  const handleRequest = (req: IncomingMessage, res: ServerResponse) => {
    try {
      handle(req, res)
    } catch (error) {
      // A bug, not an expected failure: answer this request and keep serving the others.
      logger.error(`${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`)
      if (res.headersSent) return void res.destroy()
      const body = JSON.stringify(
        errorBody(
          'INTERNAL',
          `Tollgate failed on this request: ${(error as Error).message}. The proxy keeps running; please report it.`,
        ),
      )
      res.writeHead(500, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      })
      res.end(body)
    }
  }
  /** Stops watching for late upstream answers; requests still in flight are left to finish. */
  handleRequest.close = () => deadlines.close()
  /** From now on, a connection that closes mid-answer is Tollgate stopping, not the client. */
  handleRequest.stopping = () => {
    stopping = true
  }
  return handleRequest
}

/**
 * Streams the upstream's response body to the client, keeping a copy for the log, and marks the
 * exchange when the upstream cuts the body short.
 */
function relayBody(
  upstreamRes: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  upstreamReq: http.ClientRequest,
) {
  relayCaptured(upstreamRes, res, exchange.responseCapture)
  upstreamRes.on('end', () => {
    res.end()
    // An upstream that has answered in full wants no more of the body, and may not read it: its
    // connection is dropped, and the rest of the body is read for the log alone.
    if (!exchange.req.complete) upstreamReq.destroy()
  })
  upstreamRes.on('close', () => {
    if (upstreamRes.complete || exchange.errorCode !== undefined) return
    exchange.errorCode = 'UPSTREAM_RESET'
    exchange.errorMessage = `The upstream closed the connection after ${exchange.responseCapture.size} bytes of the response body.`
    res.destroy()
  })
}

/** Tollgate is not an open proxy: a request naming another target is answered, not forwarded. */
export function refuseForeignTarget(request: GatewayRequest): Decision {
  const message = `Tollgate forwards only to its configured upstream, so it does not take requests for ${JSON.stringify(request.url)}. Send requests with a path (GET /items), and do not use Tollgate as an HTTP proxy setting.`
  return {
    answer: {
      kind: 'http',
      status: 400,
      headers: [['Content-Type', 'application/json']],
      body: JSON.stringify(errorBody('BAD_REQUEST', message)),
    },
    fields: { errorCode: 'BAD_REQUEST', errorMessage: message },
    respond: (headers) => ({ headers }),
  }
}
