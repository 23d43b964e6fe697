import type { HeaderList } from '../../../shared/exchange'
import { lowerCaseHeaderName, readRequestHeaderNames } from '../cors-safelist'

/** Hop-by-hop fields: they describe one connection and never cross a proxy. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])
const HOP_BY_HOP_LENGTHS = new Set([...HOP_BY_HOP].map((name) => name.length))

/** Pairs up Node's flat `rawHeaders` array, keeping spelling, order and repeats. */
export function toHeaderList(rawHeaders: readonly string[]): HeaderList {
  const list: HeaderList = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    list.push([rawHeaders[i]!, rawHeaders[i + 1]!])
  }
  return list
}

/** Flattens a header list into the `[name, value, ...]` form Node's writers accept. */
export function flattenHeaders(list: HeaderList): string[] {
  const flat: string[] = []
  for (const [name, value] of list) flat.push(name, value)
  return flat
}

/** Every value of `name` (case-insensitive), one per line, in order. */
export function headerValues(list: HeaderList, name: string): string[] {
  const wanted = name.toLowerCase()
  const values: string[] = []
  for (const [headerName, value] of list) {
    if (headerName.toLowerCase() === wanted) values.push(value)
  }
  return values
}

/** The single value of `name`, or undefined when it is absent or repeated. */
export function singleHeader(list: HeaderList, name: string): string | undefined {
  const values = headerValues(list, name)
  return values.length === 1 ? values[0] : undefined
}

/** Drops hop-by-hop fields and those the `Connection` field names. */
export function stripHopByHop(list: HeaderList): HeaderList {
  let connectionNamed: Set<string> | undefined
  for (const [name, value] of list) {
    if (name.length === 10 && lowerCaseHeaderName(name) === 'connection') {
      connectionNamed = addConnectionTokens(connectionNamed, value)
    }
  }

  const out: HeaderList = []
  for (const line of list) {
    // Only a name as long as a hop-by-hop one can be one: most lines are kept without a lookup.
    if (!connectionNamed && !HOP_BY_HOP_LENGTHS.has(line[0].length)) {
      out.push(line)
      continue
    }
    const lower = lowerCaseHeaderName(line[0])
    if (!HOP_BY_HOP.has(lower) && !connectionNamed?.has(lower)) out.push(line)
  }
  return out
}

/**
 * Adds the field names a `Connection` value lists, in lower case, to `named`. Names dropped anyway
 * are left out, so the usual `keep-alive` names none.
 */
function addConnectionTokens(
  named: Set<string> | undefined,
  value: string,
): Set<string> | undefined {
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase()
    if (name === '' || HOP_BY_HOP.has(name)) continue
    named ??= new Set<string>()
    named.add(name)
  }
  return named
}

export interface ForwardingContext {
  /** The upstream's authority, `host[:port]`. */
  upstreamHost: string
  clientAddress: string
  /** The scheme the client used to reach Tollgate. */
  proto: 'http' | 'https'
  method: string
  /** A protocol switch: `Connection` and `Upgrade` go along, as the upstream needs both. */
  upgrade?: boolean
}

/** Methods Node sends without body framing unless told otherwise. */
const BODYLESS_BY_DEFAULT = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'])

const LAST_CODING_CHUNKED = /(?:^|,)[\t ]*chunked[\t ]*$/i

/** The request's header lines as the upstream gets them, and whether a body follows them. */
export interface ForwardedHeaders {
  /** Flat `[name, value, ...]`, the form Node's writers take without rebuilding it. */
  headers: string[]
  /** False when the client's framing says the body is empty, so nothing needs to be read. */
  hasBody: boolean
}

/**
 * The request headers as the upstream should see them: `Host` rewritten in place to the
 * upstream's authority, `X-Forwarded-*` added or extended, hop-by-hop fields dropped, everything
 * else untouched. Runs on every request; the lower-case names come from the list the policy
 * checks already read for the same request.
 */
export function forwardedRequestHeaders(
  raw: readonly string[],
  context: ForwardingContext,
): ForwardedHeaders {
  const count = raw.length >> 1
  const lowerNames = readRequestHeaderNames(raw).lower
  let connectionNamed: Set<string> | undefined
  let codings: string | undefined
  let contentLength: string | undefined
  for (let index = 0; index < count; index++) {
    const lower = lowerNames[index]!
    const value = raw[index * 2 + 1]!
    if (lower === 'content-length') contentLength ??= value
    else if (lower === 'transfer-encoding') codings = codings ? `${codings}, ${value}` : value
    else if (lower === 'connection') connectionNamed = addConnectionTokens(connectionNamed, value)
  }
  // Node's parser takes a body only when chunked is the last coding, as in `gzip, chunked`; it
  // removes the chunking and leaves the other codings in the bytes it hands over.
  const chunked = codings !== undefined && LAST_CODING_CHUNKED.test(codings)
  let codingsSent = false

  const out: string[] = []
  let originalHost: string | undefined
  let sawForwardedFor = false
  let sawForwardedHost = false
  let sawForwardedProto = false
  for (let index = 0; index < count; index++) {
    const lower = lowerNames[index]!
    const name = raw[index * 2]!
    const value = raw[index * 2 + 1]!
    if (lower === 'transfer-encoding') {
      // One line with every coding, where the first was: Node chunks the forwarded body again
      // and the upstream undoes the other codings, as it would have for the client.
      if (chunked && !codingsSent) out.push(name, codings!.trim())
      codingsSent = true
    } else if (HOP_BY_HOP.has(lower) || connectionNamed?.has(lower)) {
      if (context.upgrade && (lower === 'connection' || lower === 'upgrade')) out.push(name, value)
    } else if (lower === 'host') {
      // A request with several Host lines is malformed; only the first is kept, rewritten.
      if (originalHost === undefined) out.push(name, context.upstreamHost)
      originalHost ??= value
    } else if (lower === 'x-forwarded-for' && !sawForwardedFor) {
      out.push(name, `${value}, ${context.clientAddress}`)
      sawForwardedFor = true
    } else {
      sawForwardedHost ||= lower === 'x-forwarded-host'
      sawForwardedProto ||= lower === 'x-forwarded-proto'
      out.push(name, value)
    }
  }

  if (originalHost === undefined) out.unshift('Host', context.upstreamHost)
  if (!sawForwardedFor) out.push('X-Forwarded-For', context.clientAddress)
  if (!sawForwardedHost && originalHost !== undefined) out.push('X-Forwarded-Host', originalHost)
  if (!sawForwardedProto) out.push('X-Forwarded-Proto', context.proto)
  // Without Content-Length or chunked framing an HTTP/1.1 request has no body. Node would frame
  // a body-less POST written from a raw header list as chunked, so the length is stated instead.
  const framed = chunked || contentLength !== undefined
  if (!framed && !BODYLESS_BY_DEFAULT.has(context.method)) out.push('Content-Length', '0')
  return { headers: out, hasBody: chunked || (framed && contentLength!.trim() !== '0') }
}

/** Strips the IPv4-mapped prefix Node puts on IPv4 peers of a dual-stack socket. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown'
  return address.startsWith('::ffff:') ? address.slice(7) : address
}
