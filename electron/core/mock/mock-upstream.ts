/**
 * An upstream that answers from a recorded session instead of a real API. It is a plain HTTP
 * server on a loopback port that the gateway forwards to like any upstream, so the gateway's
 * rules (rate limit, CORS) stand in front of it unchanged and every exchange is logged as usual.
 */

import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HeaderList } from '../../../shared/exchange'
import { errorBody } from '../../../shared/errors'
import type { Logger } from '../logger'
import { flattenHeaders, stripHopByHop } from '../proxy/raw-headers'
import type { LoggedExchange, Store } from '../store'
import { createUpstreamForwarder } from './forward-upstream'
import { RecordedAnswers } from './recorded-answers'

/** How Tollgate answers from a recording. */
export interface MockOptions {
  /** The session whose recorded answers are served. */
  session: string
  /**
   * What a request gets once the recording has no more answers for it: `404`, a JSON error
   * naming the method and path (the default), or `forward`, the real upstream's answer.
   */
  whenExhausted?: '404' | 'forward'
}

/** What the mock reads: the log it answers from and the upstream it may forward to. */
export interface MockUpstreamOptions extends MockOptions {
  store: Pick<Store, 'flush' | 'list' | 'get'>
  /** The real upstream's URL, read at each forward so a config change applies. */
  upstream(): string
  logger: Logger
}

/** A running mock upstream. */
export interface MockUpstream {
  /** Its loopback URL, which the gateway uses as its upstream. */
  url: string
  session: string
  whenExhausted: '404' | 'forward'
  /** Serves every recorded answer again from the first, re-reading the session. */
  reset(): void
  close(): Promise<void>
}

/** Budget fields Tollgate writes on responses it lets through when it enforces. */
const BUDGET_HEADERS = new Set([
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit',
  'ratelimit-policy',
])
const NO_BODY_STATUSES = new Set([204, 304])

/** Starts the mock on 127.0.0.1 and a free port. */
export async function startMockUpstream(options: MockUpstreamOptions): Promise<MockUpstream> {
  const whenExhausted = options.whenExhausted ?? '404'
  const answers = new RecordedAnswers(options.store, options.session)
  const forwarder = createUpstreamForwarder(options.session)
  const { logger } = options
  let warnedEmpty = false

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET'
    const target = req.url ?? '/'
    const { exchange, held } = answers.next(method, target)
    if (!warnedEmpty && answers.size === 0) {
      warnedEmpty = true
      logger.warn(
        `the session "${options.session}" holds no recorded answers, so every request gets ${whenExhausted === 'forward' ? "the real upstream's answer" : '404'}; check the session name`,
      )
    }

    if (exchange !== undefined) return serveRecorded(req, res, exchange)
    if (whenExhausted === 'forward') {
      return forwarder.forward(req, res, options.upstream())
    }

    req.resume()
    const what = held === 0 ? 'has no answer' : `has no more answers (it held ${held}, all used)`
    const message = `The recording "${options.session}" ${what} for ${method} ${target}. Record more traffic into the session, send fewer requests, or mock with whenExhausted "forward" (--mock-exhausted forward on the command line) to reach the real upstream.`
    const body = JSON.stringify(errorBody('NOT_FOUND', message))
    res.writeHead(404, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    })
    res.end(body)
  }

  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    try {
      handle(req, res)
    } catch (error) {
      // A bug: the gateway reports the reset as an upstream failure and keeps serving.
      logger.error(`mock ${req.method} ${req.url}: ${(error as Error).stack ?? error}`)
      res.destroy()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  logger.info(
    `answering from the recorded session "${options.session}"; when its answers run out: ${whenExhausted === 'forward' ? 'forward to the upstream' : '404'}`,
  )
  // Most often a mistyped name. Not refused: a HAR can still be imported into it, then reset.
  if (options.store.list({ session: options.session, limit: 1 }).items.length === 0) {
    warnedEmpty = true
    logger.warn(
      `the session "${options.session}" holds no exchanges, so every request gets ${whenExhausted === 'forward' ? "the real upstream's answer" : '404'} until you import a HAR into it and reset the mock; check the session name`,
    )
  }

  return {
    url,
    session: options.session,
    whenExhausted,
    reset: () => answers.reset(),
    close: () =>
      new Promise<void>((resolve) => {
        forwarder.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Sends a recorded answer: its status, header lines in order, and body bytes. */
function serveRecorded(req: IncomingMessage, res: ServerResponse, exchange: LoggedExchange): void {
  req.resume()
  const status = exchange.status!
  const body = NO_BODY_STATUSES.has(status) ? Buffer.alloc(0) : Buffer.from(exchange.responseBody)
  // A HEAD answer states the length of the body a GET would get; it is kept as recorded.
  const headers =
    req.method === 'HEAD'
      ? recordedHeaders(exchange)
      : recordedHeaders(exchange, { length: body.length, hasBody: !NO_BODY_STATUSES.has(status) })
  res.writeHead(status, http.STATUS_CODES[status] ?? '', flattenHeaders(headers))
  res.end(body)
}

/**
 * The recorded response headers as an upstream would send them: no hop-by-hop or HTTP/2
 * pseudo-headers, no budget fields Tollgate itself added, and a Content-Length that states the
 * length of the body actually sent (a HAR file may give the decoded size, a log a truncated body).
 */
function recordedHeaders(
  exchange: LoggedExchange,
  body?: { length: number; hasBody: boolean },
): HeaderList {
  const ownBudget = exchange.rateLimit?.enforced === true
  const kept = stripHopByHop(exchange.responseHeaders ?? []).filter(([name]) => {
    const lower = name.toLowerCase()
    if (name.startsWith(':')) return false
    return !(ownBudget && BUDGET_HEADERS.has(lower))
  })

  if (body === undefined) return kept
  const out: HeaderList = []
  let placed = false
  for (const [name, value] of kept) {
    if (name.toLowerCase() !== 'content-length') out.push([name, value])
    else if (!placed && body.hasBody) {
      out.push([name, String(body.length)])
      placed = true
    }
  }
  if (!placed && body.hasBody) out.push(['Content-Length', String(body.length)])
  return out
}
