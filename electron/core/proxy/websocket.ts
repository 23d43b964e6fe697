import http from 'node:http'
import type { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { ExchangeKind, ExchangeRecord, HeaderList } from '../../../shared/exchange'
import { errorBody, type ErrorCode } from '../../../shared/errors'
import { BodyCapture, relayCaptured } from './body-capture'
import { describeConnectError, ResponseDeadlines } from './forward'
import {
  describeRequest,
  refuseForeignTarget,
  type GatewayOptions,
  type GatewayRequest,
} from './gateway'
import { forwardedRequestHeaders, stripHopByHop, toHeaderList } from './raw-headers'

interface Handshake {
  kind: ExchangeKind
  request: GatewayRequest
  fields: Partial<ExchangeRecord>
  httpVersion: string
  /** What the upstream (or Tollgate) answered, kept for the row. */
  responseCapture: BodyCapture
  /** When the answer's head went out. */
  firstByteAt?: number
  /** Set once the row is recorded: a handshake has one row, however many events follow. */
  recorded?: boolean
}

/** A head and body written straight onto a socket, where no ServerResponse exists. */
interface RawAnswer {
  status: number
  statusMessage?: string
  headers: HeaderList
}

/**
 * Creates the `upgrade` handler: WebSocket handshakes pass the same policies as plain requests,
 * go to the upstream with their header lines as sent (spelling, order and repeats kept, Host and
 * `X-Forwarded-*` set as for any request), and each handshake becomes one row in the log. Once
 * the upstream switches protocols the two sockets are joined and nothing more is parsed. It also
 * takes `connect` events, which it always refuses: Tollgate opens no tunnels.
 */
export function createUpgradeHandler(options: GatewayOptions) {
  const { clock, logger } = options
  const deadlines = new ResponseDeadlines(options.headersTimeoutMs)
  let stopping = false

  const record = (
    handshake: Handshake,
    status: number | undefined,
    extra: Partial<ExchangeRecord>,
  ) => {
    if (handshake.recorded) return
    handshake.recorded = true
    const { request, responseCapture } = handshake
    options.record({
      id: request.id,
      kind: handshake.kind,
      startedAt: request.startedAt,
      firstByteAt: handshake.firstByteAt,
      endedAt: clock(),
      method: request.method,
      url: request.url,
      httpVersion: handshake.httpVersion,
      status,
      clientAddress: request.clientAddress,
      requestHeaders: request.headers,
      requestBody: Buffer.alloc(0),
      requestBodySize: 0,
      requestBodyTruncated: false,
      responseBody: responseCapture.bytes(),
      responseBodySize: responseCapture.size,
      responseBodyTruncated: responseCapture.truncated,
      ...handshake.fields,
      ...extra,
    })
  }

  const sendHead = (handshake: Handshake, socket: Duplex, answer: RawAnswer) => {
    handshake.firstByteAt = clock()
    writeHead(socket, answer)
  }

  /** Answers the handshake with Tollgate's own JSON error and closes the connection. */
  const fail = (handshake: Handshake, socket: Duplex, code: ErrorCode, message: string) => {
    logger.debug(`WebSocket ${handshake.request.url}: ${message}`)
    const status = code === 'UPSTREAM_TIMEOUT' ? 504 : 502
    const body = Buffer.from(JSON.stringify(errorBody(code, message)))
    const headers: HeaderList = [['Content-Type', 'application/json']]
    handshake.responseCapture.push(body)
    sendHead(handshake, socket, { status, headers: withLength(headers, body.length) })
    socket.end(body)
    record(handshake, status, { responseHeaders: headers, errorCode: code, errorMessage: message })
  }

  const forward = (req: IncomingMessage, socket: Duplex, head: Buffer, handshake: Handshake) => {
    const target = options.target()
    const { request } = handshake
    const upstreamReq = target.request({
      protocol: target.url.protocol,
      hostname: target.url.hostname,
      port: target.url.port,
      method: request.method,
      path: target.basePath + request.url,
      headers: forwardedRequestHeaders(req.rawHeaders, {
        upstreamHost: target.authority,
        clientAddress: request.clientAddress,
        proto: 'http',
        method: request.method,
        upgrade: true,
      }).headers as unknown as http.OutgoingHttpHeaders,
      // A connection that switches protocols is never handed back to a pool.
      agent: false,
      setHost: false,
    })
    let answered = false
    const deadline = deadlines.watch(() => {
      answered = true
      upstreamReq.destroy()
      fail(handshake, socket, 'UPSTREAM_TIMEOUT', deadlines.describeTimeout(target.url.origin))
    })
    const settle = () => {
      deadline.done = true
      answered = true
    }

    let joined = false
    let refusal: { status: number; headers: HeaderList } | undefined

    upstreamReq.on('upgrade', (upstreamRes: IncomingMessage, upstream: Duplex, upstreamHead) => {
      settle()
      handshake.firstByteAt = clock()
      const headers = toHeaderList(upstreamRes.rawHeaders)
      record(handshake, upstreamRes.statusCode, { responseHeaders: headers })
      if (socket.destroyed) return void upstream.destroy()
      joined = true
      writeHead(socket, {
        status: upstreamRes.statusCode ?? 101,
        statusMessage: upstreamRes.statusMessage,
        headers,
      })
      if (upstreamHead.length > 0) socket.write(upstreamHead)
      if (head.length > 0) upstream.write(head)
      join(socket, upstream)
    })

    // Not switching protocols: the upstream's refusal goes back as it came, then the connection
    // closes (there is no HTTP connection left to keep alive).
    upstreamReq.on('response', (upstreamRes: IncomingMessage) => {
      settle()
      const status = upstreamRes.statusCode ?? 502
      refusal = { status, headers: stripHopByHop(toHeaderList(upstreamRes.rawHeaders)) }
      sendHead(handshake, socket, {
        status,
        statusMessage: upstreamRes.statusMessage,
        headers: [...refusal.headers, ['Connection', 'close']],
      })
      relayCaptured(upstreamRes, socket, handshake.responseCapture)
      upstreamRes.on('end', () => {
        record(handshake, status, { responseHeaders: refusal!.headers })
        socket.end()
      })
      // Cut short: the client must see the cut too, not a close that looks like the body's end.
      upstreamRes.on('close', () => {
        if (upstreamRes.complete) return
        record(handshake, status, {
          responseHeaders: refusal!.headers,
          errorCode: 'UPSTREAM_RESET',
          errorMessage: `The upstream closed the connection after ${handshake.responseCapture.size} bytes of its answer to the handshake.`,
        })
        cut(socket)
      })
    })

    upstreamReq.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return
      settle()
      const message = describeConnectError(target.url.origin, error)
      fail(handshake, socket, 'UPSTREAM_UNREACHABLE', message)
    })

    // A client whose connection closes before the answer is complete takes the upstream request
    // with it. Joined connections are tied together by join() instead. A client that only
    // half-closes is still owed its answer, so this waits for the close itself (a reset, or
    // Tollgate stopping); the upstream's timeout covers the rest.
    socket.once('close', () => {
      if (joined || handshake.recorded) return
      settle()
      upstreamReq.destroy()
      const what = refusal
        ? "before the upstream's answer to the handshake was complete"
        : 'before the upstream answered the handshake'
      record(handshake, refusal?.status, {
        responseHeaders: refusal?.headers,
        errorCode: stopping ? 'PROXY_STOPPED' : 'CLIENT_ABORTED',
        errorMessage: stopping
          ? `Tollgate stopped ${what}, and closed the connection.`
          : `The client closed the connection ${what}.`,
      })
    })
    upstreamReq.end()
  }

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const request = describeRequest(req, options.nextId(), clock())
    const tunnel = req.method === 'CONNECT'
    // A request naming another host is refused here as on plain requests, so no upgrade or
    // tunnel makes Tollgate an open proxy.
    const decision =
      tunnel || !request.url.startsWith('/')
        ? refuseForeignTarget(request)
        : options.decide(request)
    const handshake: Handshake = {
      kind: tunnel ? 'http' : 'websocket',
      request,
      fields: decision.fields,
      httpVersion: req.httpVersion,
      responseCapture: new BodyCapture(options.maxBodyBytes()),
    }
    socket.on('error', (error) => logger.debug(`WebSocket ${request.url}: ${error.message}`))

    const answer = decision.answer
    if (answer) {
      const { headers, fields } = decision.respond(answer.headers, answer.status)
      const body = Buffer.from(answer.body)
      handshake.responseCapture.push(body)
      sendHead(handshake, socket, {
        status: answer.status,
        headers: withLength(headers, body.length),
      })
      socket.end(body)
      record(handshake, answer.status, { responseHeaders: headers, ...fields })
      return
    }
    forward(req, socket, head, handshake)
  }
  /** Stops watching for late handshake answers; connections already joined are left open. */
  handleUpgrade.close = () => deadlines.close()
  /** From now on, a handshake cut before its answer is Tollgate stopping, not the client. */
  handleUpgrade.stopping = () => {
    stopping = true
  }
  return handleUpgrade
}

/** The two sides of a switched connection, each ended or destroyed with the other. */
function join(client: Duplex, upstream: Duplex): void {
  client.pipe(upstream)
  upstream.pipe(client)
  // A reset on either side cuts the other: no HTTP is ever written into a live connection.
  for (const [side, other] of [
    [client, upstream],
    [upstream, client],
  ] as const) {
    side.on('error', () => other.destroy())
    side.on('close', () => other.destroy())
  }
}

/** Closes `socket` with a reset where it can, which a client cannot mistake for a clean end. */
function cut(socket: Duplex): void {
  if (socket instanceof Socket) socket.resetAndDestroy()
  else socket.destroy()
}

function withLength(headers: HeaderList, length: number): HeaderList {
  return [...headers, ['Content-Length', String(length)], ['Connection', 'close']]
}

function writeHead(socket: Duplex, answer: RawAnswer): void {
  if (!socket.writable) return
  const reason = answer.statusMessage ?? http.STATUS_CODES[answer.status] ?? ''
  const lines = [`HTTP/1.1 ${answer.status} ${reason}`]
  for (const [name, value] of answer.headers) lines.push(`${name}: ${value}`)
  lines.push('', '')
  socket.write(lines.join('\r\n'))
}
