import type { HeaderList } from '../../../shared/exchange'

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

/**
 * Drops hop-by-hop fields and those the `Connection` field names. A `Transfer-Encoding: chunked`
 * request line is kept when `keepChunked` is set so Node frames the forwarded body the same way.
 */
export function stripHopByHop(list: HeaderList, keepChunked = false): HeaderList {
  const named = new Set<string>()
  for (const value of headerValues(list, 'connection')) {
    for (const token of value.split(',')) named.add(token.trim().toLowerCase())
  }

  return list.filter(([name, value]) => {
    const lower = name.toLowerCase()
    if (keepChunked && lower === 'transfer-encoding' && value.trim().toLowerCase() === 'chunked') {
      return true
    }
    return !HOP_BY_HOP.has(lower) && !named.has(lower)
  })
}

export interface ForwardingContext {
  /** The upstream's authority, `host[:port]`. */
  upstreamHost: string
  clientAddress: string
  /** The scheme the client used to reach Tollgate. */
  proto: 'http' | 'https'
}

/**
 * The request headers as the upstream should see them: `Host` rewritten in place to the
 * upstream's authority, `X-Forwarded-*` added or extended, everything else untouched.
 */
export function forwardedRequestHeaders(list: HeaderList, context: ForwardingContext): HeaderList {
  const hasChunkedBody = headerValues(list, 'transfer-encoding').some(
    (value) => value.trim().toLowerCase() === 'chunked',
  )
  const out = stripHopByHop(list, hasChunkedBody)
  let originalHost: string | undefined
  let sawHost = false
  let sawForwardedFor = false

  for (const line of out) {
    const lower = line[0].toLowerCase()
    if (lower === 'host' && !sawHost) {
      originalHost = line[1]
      line[1] = context.upstreamHost
      sawHost = true
    } else if (lower === 'x-forwarded-for' && !sawForwardedFor) {
      line[1] = `${line[1]}, ${context.clientAddress}`
      sawForwardedFor = true
    }
  }

  // A request with several Host lines is malformed; keep only the rewritten first one.
  const result = out.filter(
    (line, index) => line[0].toLowerCase() !== 'host' || index === out.findIndex(isHostLine),
  )
  if (!sawHost) result.unshift(['Host', context.upstreamHost])
  if (!sawForwardedFor) result.push(['X-Forwarded-For', context.clientAddress])
  if (headerValues(result, 'x-forwarded-host').length === 0 && originalHost !== undefined) {
    result.push(['X-Forwarded-Host', originalHost])
  }
  if (headerValues(result, 'x-forwarded-proto').length === 0) {
    result.push(['X-Forwarded-Proto', context.proto])
  }
  return result
}

function isHostLine(line: [string, string]): boolean {
  return line[0].toLowerCase() === 'host'
}

/** Strips the IPv4-mapped prefix Node puts on IPv4 peers of a dual-stack socket. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown'
  return address.startsWith('::ffff:') ? address.slice(7) : address
}
