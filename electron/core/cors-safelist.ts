/**
 * What a browser sends without asking first: the CORS-safelisted methods and request headers of
 * the Fetch standard, and the headers a script cannot set at all.
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
  const lower = name.toLowerCase()
  if (NON_AUTHOR_HEADERS.has(lower)) return true
  for (const prefix of NON_AUTHOR_PREFIXES) if (lower.startsWith(prefix)) return true
  return false
}

/** Whether a browser would send this header and value without a preflight. */
export function isSafelistedRequestHeader(name: string, value: string): boolean {
  if (value.length > MAX_SAFELISTED_VALUE) return false

  switch (name.toLowerCase()) {
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
  let values: Map<string, string> | undefined
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase()
    if (isNonAuthorHeader(name)) continue
    values ??= new Map()
    const previous = values.get(name)
    const value = rawHeaders[i + 1]!
    values.set(name, previous === undefined ? value : `${previous}, ${value}`)
  }

  const unsafe: string[] = []
  for (const [name, value] of values ?? []) {
    if (!isSafelistedRequestHeader(name, value)) unsafe.push(name)
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
