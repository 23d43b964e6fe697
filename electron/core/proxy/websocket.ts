import http from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import httpProxy from 'http-proxy'
import type { ExchangeKind, ExchangeRecord, HeaderList } from '../../../shared/exchange'
import { errorBody } from '../../../shared/errors'
import {
  describeRequest,
  refuseForeignTarget,
  type GatewayOptions,
  type GatewayRequest,
  type LocalAnswer,
} from './gateway'
import { toHeaderList } from './raw-headers'

interface Handshake {
  kind: ExchangeKind
  /** Set once the row is recorded: a handshake has one row, however many events follow. */
  recorded?: boolean
  request: GatewayRequest
  fields: Partial<ExchangeRecord>
  httpVersion: string
}

/**
 * Creates the `upgrade` handler: WebSocket handshakes pass the same policies as plain requests,
 * are relayed by http-proxy, and each handshake becomes one row in the log. It also takes
 * `connect` events, which it always refuses: Tollgate opens no tunnels.
 */
export function createUpgradeHandler(options: GatewayOptions) {
  const { clock, logger } = options
  const handshakes = new WeakMap<IncomingMessage, Handshake>()
  const proxy = httpProxy.createProxyServer({ ws: true, xfwd: true, changeOrigin: true })

  const record = (
    handshake: Handshake,
    status: number | undefined,
    extra: Partial<ExchangeRecord>,
  ) => {
    if (handshake.recorded) return
    handshake.recorded = true
    const { request } = handshake
    options.record({
      id: request.id,
      kind: handshake.kind,
      startedAt: request.startedAt,
      firstByteAt: status === undefined ? undefined : clock(),
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
      responseBody: Buffer.alloc(0),
      responseBodySize: 0,
      responseBodyTruncated: false,
      ...handshake.fields,
      ...extra,
    })
  }

  proxy.on('proxyReqWs', (proxyReq, req, clientSocket) => {
    const handshake = handshakes.get(req)
    if (!handshake) return
    let upstreamSocket: Duplex | undefined
    proxyReq.on('upgrade', (proxyRes: IncomingMessage, socket: Duplex) => {
      upstreamSocket = socket
      record(handshake, proxyRes.statusCode, { responseHeaders: toHeaderList(proxyRes.rawHeaders) })
    })
    proxyReq.on('response', (proxyRes: IncomingMessage) => {
      record(handshake, proxyRes.statusCode, { responseHeaders: toHeaderList(proxyRes.rawHeaders) })
    })

    // http-proxy ends the upstream side only when the client ends cleanly; a client that goes
    // away otherwise would leave that connection, or a handshake still waiting, open for good.
    clientSocket.once('close', () => {
      record(handshake, undefined, {
        errorCode: 'CLIENT_ABORTED',
        errorMessage:
          'The client closed the connection before the upstream answered the handshake.',
      })
      proxyReq.destroy()
      upstreamSocket?.destroy()
    })
  })

  proxy.on('error', (error, req, socket) => {
    const handshake = handshakes.get(req)
    const target = options.target().url.origin
    const message = `Could not open a WebSocket to the upstream ${target}: ${error.message}. Start the upstream, or point Tollgate at the right one.`
    logger.debug(message)
    // Once the handshake has its row, the answer has gone out: nothing more may be written.
    const answered = handshake?.recorded ?? false
    if (handshake) {
      record(handshake, 502, { errorCode: 'UPSTREAM_UNREACHABLE', errorMessage: message })
    }
    if (!answered && socket instanceof Object && 'writable' in socket && socket.writable) {
      writeRawAnswer(socket as Duplex, {
        kind: 'websocket',
        status: 502,
        headers: [['Content-Type', 'application/json']],
        body: JSON.stringify(errorBody('UPSTREAM_UNREACHABLE', message)),
      })
    }
  })

  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
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
    }
    socket.on('error', (error) => logger.debug(`WebSocket ${request.url}: ${error.message}`))

    if (decision.answer) {
      const { headers, fields } = decision.respond(decision.answer.headers, decision.answer.status)
      writeRawAnswer(socket, { ...decision.answer, headers })
      record(handshake, decision.answer.status, { responseHeaders: headers, ...fields })
      return
    }

    handshakes.set(req, handshake)
    const target = options.target()
    proxy.ws(req, socket, head, { target: target.url.href })
  }
}

/** Answers on a raw socket, where no ServerResponse exists. */
function writeRawAnswer(socket: Duplex, answer: LocalAnswer): void {
  const body = Buffer.from(answer.body)
  const lines = [`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}`]
  for (const [name, value] of answer.headers as HeaderList) lines.push(`${name}: ${value}`)
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '')
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), body]))
}
