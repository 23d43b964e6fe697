/**
 * What a browser sends without asking first: the CORS-safelisted methods and request headers of
 * the Fetch standard, and the headers a script cannot set at all. Also the reading of header
 * names these checks share, done once per name rather than once per check.
 */

const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST'])

// Set by the browser or by a proxy on the way, never by script, so they never cause a preflight.
const NON_AUTHOR_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'cache-control',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'forwarded',
  'host',
  'keep-alive',
  'origin',
  'pragma',
  'priority',
  'purpose',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'upgrade-insecure-requests',
  'user-agent',
  'via',
  'x-real-ip',
])
const NON_AUTHOR_PREFIXES = ['sec-', 'proxy-', 'x-forwarded-']

const SAFELISTED_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
])
const MIME_ESSENCE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/
const LANGUAGE_VALUE = /^[0-9A-Za-z *,\-.;=]*$/
// Control bytes other than tab, and the delimiters Fetch calls CORS-unsafe request-header bytes.
const UNSAFE_BYTE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/

const MAX_SAFELISTED_VALUE = 128

/** Whether browsers send this method cross-origin without a preflight. Case-sensitive. */
export function isSafelistedMethod(method: string): boolean {
  return SAFELISTED_METHODS.has(method)
}

/** Whether a header is one a script cannot set, so the browser never asks about it. */
export function isNonAuthorHeader(name: string): boolean {
  return isNonAuthorLowerCase(lowerCaseHeaderName(name))
}

function isNonAuthorLowerCase(lower: string): boolean {
  if (NON_AUTHOR_HEADERS.has(lower)) return true
  for (const prefix of NON_AUTHOR_PREFIXES) if (lower.startsWith(prefix)) return true
  return false
}

/** Whether a browser would send this header and value without a preflight. */
export function isSafelistedRequestHeader(name: string, value: string): boolean {
  return isSafelistedLowerCase(lowerCaseHeaderName(name), value)
}

/** Whether this header's value decides if it is safelisted; every other author header is not. */
export function isSafelistedByValue(lowerName: string): boolean {
  return VALUE_CHECKED_HEADERS.has(lowerName)
}

// The names isSafelistedLowerCase looks at the value of.
const VALUE_CHECKED_HEADERS = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type',
])

function isSafelistedLowerCase(lower: string, value: string): boolean {
  if (value.length > MAX_SAFELISTED_VALUE) return false

  switch (lower) {
    case 'accept':
      return !UNSAFE_BYTE.test(value)
    case 'accept-language':
    case 'content-language':
      return LANGUAGE_VALUE.test(value)
    case 'content-type': {
      if (UNSAFE_BYTE.test(value)) return false
      const essence = (value.split(';')[0] ?? '').trim().toLowerCase()
      return MIME_ESSENCE.test(essence) && SAFELISTED_CONTENT_TYPES.has(essence)
    }
    default:
      return false
  }
}

/**
 * The header names a browser would list in `Access-Control-Request-Headers` for a request with
 * these raw header lines: lower case, sorted, without repeats.
 */
export function findUnsafeHeaderNames(rawHeaders: readonly string[]): string[] {
  const { lower, authored } = readRequestHeaderNames(rawHeaders)
  let values: Map<string, string> | undefined
  for (const index of authored) {
    const name = lower[index]!
    values ??= new Map()
    const previous = values.get(name)
    const value = rawHeaders[2 * index + 1]!
    values.set(name, previous === undefined ? value : `${previous}, ${value}`)
  }

  const unsafe: string[] = []
  if (values === undefined) return unsafe
  for (const [name, value] of values) {
    if (!isSafelistedLowerCase(name, value)) unsafe.push(name)
  }
  return unsafe.sort()
}

/**
 * Whether a browser would have sent a preflight before this request: a method other than
 * GET, HEAD or POST, or a header set by script that is not CORS-safelisted.
 */
export function needsPreflight(method: string, rawHeaders: readonly string[]): boolean {
  return !isSafelistedMethod(method) || findUnsafeHeaderNames(rawHeaders).length > 0
}

// Reading header names. Every request brings fresh strings for the same few names; lower-casing
// one makes yet another string, which each Set or Map lookup must hash from scratch, while the
// remembered lower-case name was hashed once. Bounded so odd names cannot pile up.
const REMEMBERED_NAMES_MAX = 1_000
const REMEMBERED_NAME_LENGTH_MAX = 64
const lowerCaseNames = new Map<string, string>()

/** A header name in lower case, remembered per spelling; the same as `name.toLowerCase()`. */
export function lowerCaseHeaderName(name: string): string {
  let lower = lowerCaseNames.get(name)
  if (lower === undefined) {
    lower = name.toLowerCase()
    if (name.length <= REMEMBERED_NAME_LENGTH_MAX) {
      if (lowerCaseNames.size >= REMEMBERED_NAMES_MAX) lowerCaseNames.clear()
      lowerCaseNames.set(name, lower)
    }
  }
  return lower
}

/** The header names of one request, as the CORS and key checks read them. */
export interface RequestHeaderNames {
  /** Each line's name in lower case, one per `[name, value]` pair of the raw list. */
  lower: readonly string[]
  /** Indexes into `lower` of the names a script can set, the only ones a preflight is about. */
  authored: readonly number[]
}

interface RememberedNames extends RequestHeaderNames {
  /** The names as sent; the request they describe is the one that sends exactly these. */
  sent: readonly string[]
}

// Requests from one client repeat the same header names in the same order, so what depends on
// the names alone is worked out once per list of names. A few lists are kept, newest first.
const REMEMBERED_LISTS_MAX = 8
const rememberedLists: RememberedNames[] = []

/** The names of node's flat `[name, value, ...]` header list, read once per list of names. */
export function readRequestHeaderNames(rawHeaders: readonly string[]): RequestHeaderNames {
  for (let index = 0; index < rememberedLists.length; index++) {
    const remembered = rememberedLists[index]!
    if (!sendsNames(rawHeaders, remembered.sent)) continue
    if (index > 0) {
      rememberedLists.splice(index, 1)
      rememberedLists.unshift(remembered)
    }
    return remembered
  }

  const sent: string[] = []
  const lower: string[] = []
  const authored: number[] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = lowerCaseHeaderName(rawHeaders[i]!)
    if (!isNonAuthorLowerCase(name)) authored.push(lower.length)
    sent.push(rawHeaders[i]!)
    lower.push(name)
  }
  const remembered: RememberedNames = { sent, lower, authored }
  rememberedLists.unshift(remembered)
  if (rememberedLists.length > REMEMBERED_LISTS_MAX) rememberedLists.pop()
  return remembered
}

/** Whether the raw list's names are exactly `sent`, compared case-sensitively, in order. */
function sendsNames(rawHeaders: readonly string[], sent: readonly string[]): boolean {
  if (sent.length !== rawHeaders.length >> 1) return false
  for (let index = 0; index < sent.length; index++) {
    if (sent[index] !== rawHeaders[2 * index]) return false
  }
  return true
}
