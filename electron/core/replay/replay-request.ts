/**
 * One recorded exchange turned back into the request a replay sends: the same method, header
 * lines (spelling, order, repeats) and body bytes, addressed to the gateway instead of wherever it
 * was first sent. Only what would make the request wrong on the new connection changes: `Host`,
 * HTTP/2 pseudo-headers, connection-management fields, and a `Content-Length` that no longer
 * matches the body.
 */

import type { HeaderList } from '../../../shared/exchange'
import { maskKey } from '../../../shared/keys'
import { bucketFor, extractKey } from '../api-key'
import type { LoggedExchange } from '../store'
import { REPLAY_OF_HEADER } from './replay-marker'
import { toRequestTarget } from './request-target'

/** Changes to one exchange before it is sent again; each field replaces the recorded one. */
export interface ExchangeEdit {
  method?: string
  /** Path and query, or a whole URL of which only the path and query are kept. */
  url?: string
  /** Every header line, in order; `Host` is still set to the gateway's. */
  headers?: HeaderList
  body?: Uint8Array
}

/** A request ready for the wire. */
export interface ReplayRequest {
  originalId: number
  method: string
  /** Path and query, exactly as recorded or edited. */
  target: string
  /** Node's flat `[name, value, ...]` form, sent as is. */
  headers: string[]
  body: Uint8Array
  /** The log kept only the start of the body: that start is sent, with its own length. */
  bodyTruncated: boolean
  /** The budget the gateway will charge: `key <hash>`, or `anonymous <replayer address>`. */
  bucket: string
  keyMasked?: string
  originalStatus?: number
}

/** Where a replay goes and how the gateway will read it. */
export interface BuildContext {
  /** The gateway's `host:port`, for the `Host` line. */
  gatewayHost: string
  /** Headers the gateway reads the API key from. */
  keyHeaders: string[]
  /** The address the replay connects from, which names the bucket of keyless requests. */
  clientAddress: string
}

/**
 * Lines that cannot be sent again as recorded: a marker of an earlier replay, and the fields that
 * described the original client's connection. The gateway never forwards the latter either.
 */
const DROPPED = new Set([REPLAY_OF_HEADER.toLowerCase(), 'keep-alive', 'proxy-connection'])

/** Methods Node sends without body framing unless told otherwise. */
const BODYLESS_BY_DEFAULT = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'])

/** Builds the request that replays `exchange`, with `edit` applied first. */
export function buildReplayRequest(
  exchange: LoggedExchange,
  context: BuildContext,
  edit: ExchangeEdit = {},
): ReplayRequest {
  const method = edit.method ?? exchange.method
  const body = edit.body ?? exchange.requestBody
  const complete =
    edit.body !== undefined ||
    (!exchange.requestBodyTruncated && exchange.requestBody.length === exchange.requestBodySize)

  const lines: HeaderList = []
  let connectionPlaced = false
  for (const [name, value] of edit.headers ?? exchange.requestHeaders) {
    const lower = name.toLowerCase()
    if (name.startsWith(':') || DROPPED.has(lower)) continue
    // The first Connection line stays where it was, asking to keep the connection: a recorded
    // `close` would cost every replayed request a new one.
    if (lower === 'connection') {
      if (!connectionPlaced) lines.push([name, 'keep-alive'])
      connectionPlaced = true
      continue
    }
    lines.push([name, sendableValue(value)])
  }
  const withHost = placeHost(lines, context.gatewayHost)
  const framed = frameBody(withHost, method, body.length, complete)
  framed.push([REPLAY_OF_HEADER, String(exchange.id)])

  const flat: string[] = []
  for (const [name, value] of framed) flat.push(name, value)
  const key = extractKey(flat, context.keyHeaders)
  const request: ReplayRequest = {
    originalId: exchange.id,
    method,
    target: toRequestTarget(edit.url ?? exchange.url),
    headers: flat,
    body,
    bodyTruncated: !complete,
    bucket: bucketFor(key, context.clientAddress),
  }
  if (key !== undefined && key !== '') request.keyMasked = maskKey(key)
  if (exchange.status !== undefined) request.originalStatus = exchange.status
  return request
}

/**
 * A header value as bytes Node will send. A value with a character past Latin-1 can only have
 * come from a HAR file (a masked key's `…`, text the file held as UTF-8): all of it goes as UTF-8
 * bytes, the encoding the file gave it in. Values Tollgate recorded itself are Latin-1 already.
 */
function sendableValue(value: string): string {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/** The gateway's `Host` in place of the first recorded one; further ones dropped; else first. */
function placeHost(lines: HeaderList, gatewayHost: string): HeaderList {
  const out: HeaderList = []
  let placed = false
  for (const [name, value] of lines) {
    if (name.toLowerCase() !== 'host') {
      out.push([name, value])
    } else if (!placed) {
      out.push([name, gatewayHost])
      placed = true
    }
  }
  if (!placed) out.unshift(['Host', gatewayHost])
  return out
}

/**
 * Body framing that matches the bytes about to be sent. A chunked request stays chunked (Node
 * frames it) and loses any Content-Length beside it. A recorded Content-Length is kept only when
 * the body is complete and it states the body's length; otherwise the first one is corrected
 * in place and the rest dropped. Without either, a length is added when there is a body, or
 * when Node would otherwise frame an empty POST as chunked.
 */
function frameBody(
  lines: HeaderList,
  method: string,
  length: number,
  complete: boolean,
): HeaderList {
  const chunked = lines.some(
    ([name, value]) => name.toLowerCase() === 'transfer-encoding' && /\bchunked\b/i.test(value),
  )
  const isLength = (name: string) => name.toLowerCase() === 'content-length'
  const isEncoding = (name: string) => name.toLowerCase() === 'transfer-encoding'
  if (chunked) return lines.filter(([name]) => !isLength(name))

  // A Transfer-Encoding without chunked cannot frame a request; the length does instead.
  const kept = lines.filter(([name]) => !isEncoding(name))
  const lengths = kept.filter(([name]) => isLength(name))
  if (complete && lengths.length === 1 && lengths[0]![1].trim() === String(length)) return kept

  if (lengths.length > 0) {
    const first = kept.findIndex(([name]) => isLength(name))
    return kept.flatMap(([name, value], index): HeaderList => {
      if (index === first) return [[name, String(length)]]
      return isLength(name) ? [] : [[name, value]]
    })
  }
  if (length > 0 || !BODYLESS_BY_DEFAULT.has(method.toUpperCase())) {
    kept.push(['Content-Length', String(length)])
  }
  return kept
}
