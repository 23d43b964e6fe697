/**
 * The control API's server: `POST /api/<method>` calls, the `/api/events` WebSocket, and the
 * built UI for everything else, on a loopback port of its own so the proxy's port carries only
 * the traffic under test.
 */

import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { errorBody, TollgateError, type ErrorCode } from '../../../shared/errors'
import type { Logger } from '../logger'
import { acceptedHosts, checkRequestSource, checkToken, createToken, readBearerToken } from './auth'
import { createEventHub } from './events'
import { HAR_ROUTES, handleHarRoute } from './har-routes'
import { callMethod, createMethods, maskSummary, replayOf, type ControlCore } from './methods'
import { createStaticHandler } from './static-files'

export interface ControlServerOptions {
  core: ControlCore
  /** A loopback address; the server refuses every Host that does not name this machine. */
  host: string
  /** 0, the default, picks a free port. */
  controlPort?: number
  /** The built UI. */
  rendererDir: string
  /** Origins besides its own whose pages may call it: the UI's dev server while developing. */
  allowedOrigins?: string[]
  logger: Logger
  /** Least time between two batches of live traffic. Default 200 ms. */
  eventIntervalMs?: number
}

/** A running control API. */
export interface ControlServer {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string
  port: number
  /** The secret every API call carries; new on every start. */
  token: string
  /** The UI's address with the token in the fragment, which browsers never send to a server. */
  uiUrl: string
  close(): Promise<void>
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  HAR_INVALID: 400,
  DB_UNAVAILABLE: 503,
}

/** Params bodies are small; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 1024 * 1024

/**
 * The address the control API binds to: the proxy's own when that is a loopback address, else
 * 127.0.0.1, so exposing the proxy to the network never exposes the API that steers it.
 */
export function controlHostFor(listenHost: string): string {
  const lower = listenHost.toLowerCase()
  const loopback = lower === 'localhost' || lower === '::1' || /^127\.\d+\.\d+\.\d+$/.test(lower)
  return loopback ? listenHost : '127.0.0.1'
}

/** Starts the control API on its own loopback port. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { core, logger } = options
  const token = createToken()
  let hosts = new Set<string>()

  const handlers = createMethods(core, (event) => hub.publish(event))
  const hub = createEventHub(
    {
      onRecorded: (listener) => core.store.onRecorded(listener),
      budgets: (buckets) => core.budgets(buckets),
      status: () => handlers['status.get']({}),
      present: (summary) => maskSummary(summary, core.config().keys.headers),
    },
    { intervalMs: options.eventIntervalMs, logger },
  )
  const serveStatic = createStaticHandler(options.rendererDir)
  const extraOrigins = (options.allowedOrigins ?? []).map((origin) => origin.toLowerCase())

  const handleApi = async (request: IncomingMessage, response: ServerResponse) => {
    const unauthorized = checkToken(readBearerToken(request.headers), token)
    if (unauthorized) throw unauthorized

    const name = new URL(request.url ?? '/', 'http://control').pathname.slice('/api/'.length)
    if (HAR_ROUTES.has(name)) {
      const answer = await handleHarRoute(name, request, response, replayOf(core))
      if (answer) sendJson(response, 200, answer.json)
      return
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST')
      throw new TollgateError('BAD_REQUEST', `Call ${name} with POST and a JSON body of params.`)
    }
    const params = parseParams(await readBody(request), name)
    sendJson(response, 200, await callMethod(handlers, name, params))
  }

  const server = http.createServer((request, response) => {
    const refused = checkRequestSource(request.headers, hosts, extraOrigins)
    const path = (request.url ?? '/').split('?', 1)[0]!
    const isApi = path === '/api' || path.startsWith('/api/')

    const answer = async () => {
      if (refused) throw refused
      if (isApi) await handleApi(request, response)
      else await serveStatic(request, response, request.headers.host!.toLowerCase())
    }
    answer().catch((error: unknown) => sendError(response, error, logger))
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://control')
    const refused =
      checkRequestSource(request.headers, hosts, extraOrigins) ??
      (url.pathname === '/api/events'
        ? checkToken(url.searchParams.get('token') ?? undefined, token)
        : new TollgateError('NOT_FOUND', 'The only WebSocket is /api/events.'))
    if (refused) {
      refuseUpgrade(socket, refused)
      return
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => hub.add(webSocket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.controlPort ?? 0, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  hosts = acceptedHosts(options.host, port)
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`
  logger.info(`control API and UI on ${url}`)

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    token,
    uiUrl: `${url}/#token=${token}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        hub.close()
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk)
      // The rest is read and dropped, so the client is still reading when the 400 comes.
      chunks.length = 0
      reject(
        new TollgateError(
          'BAD_REQUEST',
          `The params are larger than ${MAX_BODY_BYTES} bytes. Send less at once; a HAR file goes to /api/har.import as the raw body instead.`,
        ),
      )
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

/** An empty body means no params; anything else must be JSON. */
function parseParams(body: Buffer, method: string): unknown {
  if (body.length === 0) return {}
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw new TollgateError(
      'BAD_REQUEST',
      `The body of ${method} is not valid JSON: ${(error as Error).message}.`,
    )
  }
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  response.statusCode = status
  response.setHeader('Content-Type', 'application/json; charset=utf-8')
  response.setHeader('Cache-Control', 'no-store')
  response.setHeader('Content-Length', Buffer.byteLength(body))
  response.end(body)
}

/** Expected failures keep their code and message; anything else is logged and answered 500. */
function sendError(response: ServerResponse, error: unknown, logger: Logger): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  if (!(error instanceof TollgateError)) {
    logger.error(`a control call failed: ${(error as Error)?.stack ?? error}`)
    sendJson(response, 500, errorBody('INTERNAL', 'The call failed inside Tollgate; see its log.'))
    return
  }
  if (error.code === 'UNAUTHORIZED') response.setHeader('WWW-Authenticate', 'Bearer')
  sendJson(response, STATUS_OF[error.code] ?? 500, errorBody(error.code, error.message))
}

function refuseUpgrade(socket: Duplex, error: TollgateError): void {
  const status = STATUS_OF[error.code] ?? 500
  const body = JSON.stringify(errorBody(error.code, error.message))
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  )
}
