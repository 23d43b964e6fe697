/**
 * The CORS policy of the emulated gateway. It reads the few request headers CORS depends on,
 * decides the answer to a preflight or the headers for an actual response, and a separate small
 * step applies those headers to the upstream's. Pure: no I/O and no clock.
 */

import type { CorsConfig } from '../../shared/config'
import type { HeaderList } from '../../shared/exchange'
import {
  findUnsafeHeaderNames,
  isSafelistedByValue,
  isSafelistedMethod,
  lowerCaseHeaderName,
  readRequestHeaderNames,
  type RequestHeaderNames,
} from './cors-safelist'

/** What CORS needs to know about one request, read from its raw header lines. */
export interface CorsRequest {
  method: string
  /** The Origin as received, trimmed; several lines joined with ", ". Undefined when absent or empty. */
  origin?: string
  /** False when the Origin came as several lines or a space-separated list: nothing can match it. */
  originIsSingle: boolean
  /** `Access-Control-Request-Method`, when present and not empty. */
  requestedMethod?: string
  /** `Access-Control-Request-Headers` items: repeated lines joined, split, trimmed, spelling kept. */
  requestedHeaders: string[]
  /** OPTIONS carrying both Origin and Access-Control-Request-Method. */
  isPreflight: boolean
  hasCookie: boolean
  hasAuthorization: boolean
  /** Headers set by script that are not CORS-safelisted, lower case and sorted; empty without an Origin. */
  unsafeHeaderNames: string[]
}

/** The check a refused preflight failed first, with the values involved. */
export type PreflightFailure =
  | { rule: 'origin-not-single' }
  | { rule: 'origin-not-allowed' }
  | { rule: 'method-not-allowed'; method: string }
  | { rule: 'header-not-allowed'; headers: string[] }

/** Tollgate's own answer to a preflight; it is sent as is and never forwarded. */
export interface PreflightDecision {
  passed: boolean
  status: 204 | 403
  /** The complete response headers, `Vary` included. */
  headers: HeaderList
  failure?: PreflightFailure
  /** The `Access-Control-Max-Age` sent, when one was. */
  maxAgeSeconds?: number
}

/** The CORS headers an actual response gets, before they are applied to the upstream's. */
export interface ActualRequestDecision {
  outcome: 'not-cors' | 'allowed' | 'disallowed'
  /** Empty unless the origin is allowed. */
  headers: HeaderList
}

export interface CorsPolicyOptions {
  /** Also expose `RateLimit-Policy` and `RateLimit` (the rate limiter's draft headers). */
  draftRateLimitHeaders?: boolean
}

const RATE_LIMIT_HEADERS = [
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Retry-After',
]
const DRAFT_RATE_LIMIT_HEADERS = ['RateLimit-Policy', 'RateLimit']
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'

/**
 * Reads the CORS-relevant parts of a request from node's flat `[name, value, …]` header array.
 * It runs on every request, and a client sends the same few requests over and over: when the
 * method, the header names and the values CORS reads all match the last request with these
 * names, that request's reading is reused.
 */
export function readCorsRequest(method: string, rawHeaders: readonly string[]): CorsRequest {
  const names = readRequestHeaderNames(rawHeaders)
  let memo = corsReadings.get(names)
  if (memo === undefined) {
    memo = { valueIndexes: corsValueIndexes(names) }
    corsReadings.set(names, memo)
  }

  const last = memo.last
  if (last?.method === method && valuesMatch(rawHeaders, memo.valueIndexes, last.values)) {
    return copyCorsRequest(last.request)
  }
  const request = readCorsRequestOnce(method, rawHeaders, names.lower)
  const values = memo.valueIndexes.map((index) => rawHeaders[2 * index + 1]!)
  memo.last = { method, values, request: copyCorsRequest(request) }
  return request
}

/** The last reading for one list of header names, and which values it depends on. */
interface CorsReadingMemo {
  /** Indexes of the lines whose values readCorsRequest reads; the others count by name only. */
  valueIndexes: number[]
  last?: { method: string; values: string[]; request: CorsRequest }
}

// Keyed by the remembered list of names, so it lives exactly as long as that list is kept.
const corsReadings = new WeakMap<RequestHeaderNames, CorsReadingMemo>()

const VALUE_READ_HEADERS = new Set([
  'origin',
  'cookie',
  'access-control-request-method',
  'access-control-request-headers',
])

function corsValueIndexes(names: RequestHeaderNames): number[] {
  const indexes: number[] = []
  names.lower.forEach((name, index) => {
    if (VALUE_READ_HEADERS.has(name)) indexes.push(index)
  })
  // Author headers other than these are unsafe whatever their value.
  for (const index of names.authored) {
    if (isSafelistedByValue(names.lower[index]!)) indexes.push(index)
  }
  return indexes
}

function valuesMatch(
  rawHeaders: readonly string[],
  indexes: readonly number[],
  values: readonly string[],
): boolean {
  for (let i = 0; i < indexes.length; i++) {
    if (rawHeaders[2 * indexes[i]! + 1] !== values[i]) return false
  }
  return true
}

/**
 * A copy whose arrays the caller may change without touching the remembered reading. Spelled
 * out in readCorsRequestOnce's order so every reading has the same shape and copies fast.
 */
function copyCorsRequest(request: CorsRequest): CorsRequest {
  return {
    method: request.method,
    origin: request.origin,
    originIsSingle: request.originIsSingle,
    requestedMethod: request.requestedMethod,
    requestedHeaders: [...request.requestedHeaders],
    isPreflight: request.isPreflight,
    hasCookie: request.hasCookie,
    hasAuthorization: request.hasAuthorization,
    unsafeHeaderNames: [...request.unsafeHeaderNames],
  }
}

/** Reads the request in one pass: most requests carry a dozen headers it ignores. */
function readCorsRequestOnce(
  method: string,
  rawHeaders: readonly string[],
  names: readonly string[],
): CorsRequest {
  let origins: string[] | undefined
  let requestedMethods: string[] | undefined
  let requestedHeaderLines: string[] | undefined
  let hasCookie = false
  let hasAuthorization = false

  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    const value = rawHeaders[2 * index + 1]!
    if (name === 'origin') (origins ??= []).push(value)
    else if (name === 'cookie') hasCookie ||= value.trim() !== ''
    else if (name === 'authorization') hasAuthorization = true
    else if (name === 'access-control-request-method') (requestedMethods ??= []).push(value)
    else if (name === 'access-control-request-headers') (requestedHeaderLines ??= []).push(value)
  }

  const originValues = nonEmpty(origins)
  const origin = originValues.length === 0 ? undefined : originValues.join(', ')
  const originIsSingle = originValues.length === 1 && !/[\s,]/.test(originValues[0]!)
  const methodValues = nonEmpty(requestedMethods)
  const requestedMethod = methodValues.length === 0 ? undefined : methodValues.join(', ')
  const requestedHeaders =
    requestedHeaderLines === undefined ? [] : nonEmpty(requestedHeaderLines.join(',').split(','))

  return {
    method,
    origin,
    originIsSingle,
    requestedMethod,
    requestedHeaders,
    isPreflight: method === 'OPTIONS' && origin !== undefined && requestedMethod !== undefined,
    hasCookie,
    hasAuthorization,
    // Only a cross-origin request can need a preflight; the others skip the header scan.
    unsafeHeaderNames: origin === undefined ? [] : findUnsafeHeaderNames(rawHeaders),
  }
}

/** The values trimmed, empty ones dropped. */
function nonEmpty(values: readonly string[] | undefined): string[] {
  const kept: string[] = []
  if (values === undefined) return kept
  for (const value of values) {
    const trimmed = value.trim()
    if (trimmed !== '') kept.push(trimmed)
  }
  return kept
}

/** Whether the allowlist lets this exact Origin in; `*` counts only as the sole entry. */
export function isOriginAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.length === 1 && allowedOrigins[0] === '*') return true
  return allowedOrigins.includes(origin)
}

/** Whether a preflight may ask for this method: compared case-sensitively, as browsers do. */
export function isMethodAllowed(method: string, config: CorsConfig): boolean {
  if (isSafelistedMethod(method) || config.allowedMethods.includes(method)) return true
  return !config.allowCredentials && config.allowedMethods.includes('*')
}

/**
 * The requested header names the configuration does not allow. Compared case-insensitively;
 * `*` covers every name but Authorization, and is literal when credentials are allowed.
 */
export function findDisallowedHeaders(requested: readonly string[], config: CorsConfig): string[] {
  const disallowed: string[] = []
  if (requested.length === 0) return disallowed
  const allowed = lowerCaseSet(config.allowedHeaders)
  const wildcard = allowed.has('*') && !config.allowCredentials

  for (const name of requested) {
    const lower = lowerCaseHeaderName(name)
    if (!allowed.has(lower) && !(wildcard && lower !== 'authorization')) disallowed.push(name)
  }
  return disallowed
}

/** Answers a preflight: 204 with the allow headers when every browser check passes, else 403. */
export function decidePreflight(request: CorsRequest, config: CorsConfig): PreflightDecision {
  const failure = findPreflightFailure(request, config)
  if (failure || request.origin === undefined) {
    return { passed: false, status: 403, headers: [['Vary', PREFLIGHT_VARY]], failure }
  }

  const headers: HeaderList = [
    ['Access-Control-Allow-Origin', allowOriginValue(request.origin, config)],
  ]
  // The configured lists, not an echo: the answer then matches what the gateway really allows.
  if (config.allowedMethods.length > 0) {
    headers.push(['Access-Control-Allow-Methods', config.allowedMethods.join(', ')])
  }
  if (config.allowedHeaders.length > 0) {
    headers.push(['Access-Control-Allow-Headers', config.allowedHeaders.join(', ')])
  }
  const maxAgeSeconds =
    config.maxAge === undefined ? undefined : Math.max(0, Math.floor(config.maxAge))
  if (maxAgeSeconds !== undefined) headers.push(['Access-Control-Max-Age', String(maxAgeSeconds)])
  if (config.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true'])
  headers.push(['Vary', PREFLIGHT_VARY])

  return { passed: true, status: 204, headers, maxAgeSeconds }
}

/** The first browser check a preflight fails, in the order the gateway runs them. */
export function findPreflightFailure(
  request: CorsRequest,
  config: CorsConfig,
): PreflightFailure | undefined {
  if (request.origin === undefined) return { rule: 'origin-not-allowed' }
  if (!request.originIsSingle) return { rule: 'origin-not-single' }
  if (!isOriginAllowed(request.origin, config.allowedOrigins)) return { rule: 'origin-not-allowed' }

  const method = request.requestedMethod ?? request.method
  if (!isMethodAllowed(method, config)) return { rule: 'method-not-allowed', method }

  const headers = findDisallowedHeaders(request.requestedHeaders, config)
  if (headers.length > 0) return { rule: 'header-not-allowed', headers }
  return undefined
}

/**
 * The CORS headers for the response to an actual request: the allowed origin (or `*`), the
 * credentials flag when configured, and the exposed headers. None for a missing, repeated or
 * unlisted Origin; the request is still forwarded and the browser blocks the read.
 */
export function decideActualRequest(
  request: CorsRequest,
  config: CorsConfig,
  options: CorsPolicyOptions = {},
): ActualRequestDecision {
  if (request.origin === undefined) return { outcome: 'not-cors', headers: [] }
  if (!request.originIsSingle || !isOriginAllowed(request.origin, config.allowedOrigins)) {
    return { outcome: 'disallowed', headers: [] }
  }

  const headers: HeaderList = [
    ['Access-Control-Allow-Origin', allowOriginValue(request.origin, config)],
  ]
  if (config.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true'])

  const exposeValue = options.draftRateLimitHeaders ? exposeValueWithDraft : exposeValueWithout
  const exposed = exposeValue(config.exposeHeaders)
  if (exposed !== '') headers.push(['Access-Control-Expose-Headers', exposed])
  return { outcome: 'allowed', headers }
}

/** Configured exposeHeaders first, then the rate-limit headers, without case-insensitive repeats. */
export function listExposedHeaders(config: CorsConfig, options: CorsPolicyOptions = {}): string[] {
  return listExposedNames(config.exposeHeaders, options.draftRateLimitHeaders === true)
}

function listExposedNames(exposeHeaders: readonly string[], draftRateLimitHeaders: boolean) {
  const names = [
    ...exposeHeaders,
    ...RATE_LIMIT_HEADERS,
    ...(draftRateLimitHeaders ? DRAFT_RATE_LIMIT_HEADERS : []),
  ]
  const seen = new Set<string>()

  return names.filter((name) => {
    const lower = name.trim().toLowerCase()
    if (lower === '' || seen.has(lower)) return false
    seen.add(lower)
    return true
  })
}

/**
 * Applies an actual request's CORS headers to a response: drops every upstream
 * `Access-Control-*` line so exactly one set goes out, merges `Origin` into `Vary` (added when
 * absent, left alone beside `*`), and appends the CORS headers. The rest keeps its order and
 * spelling. Call it on every actual response, with or without an Origin; not on preflights.
 */
export function applyCorsToResponseHeaders(
  upstreamHeaders: HeaderList,
  corsHeaders: HeaderList,
): HeaderList {
  const out: HeaderList = []
  let lastVary = -1
  let varyCovered = false

  for (const line of upstreamHeaders) {
    const name = lowerCaseHeaderName(line[0])
    if (name.startsWith('access-control-')) continue
    if (name === 'vary') {
      lastVary = out.length
      varyCovered ||= line[1].split(',').some((token) => {
        const trimmed = token.trim().toLowerCase()
        return trimmed === '*' || trimmed === 'origin'
      })
    }
    out.push(line)
  }

  if (lastVary === -1) {
    out.push(['Vary', 'Origin'])
  } else if (!varyCovered) {
    const [name, value] = out[lastVary]!
    const trimmed = value.replace(/[\s,]+$/, '')
    out[lastVary] = [name, trimmed === '' ? 'Origin' : `${trimmed}, Origin`]
  }

  for (const line of corsHeaders) out.push(line)
  return out
}

function allowOriginValue(origin: string, config: CorsConfig): string {
  const wildcardOnly = config.allowedOrigins.length === 1 && config.allowedOrigins[0] === '*'
  return wildcardOnly ? '*' : origin
}

/**
 * A configured list derived once and reused while the list keeps the same items. Checking the
 * items, not only the array, keeps the answer right even if a caller edits a config in place.
 */
interface ListMemo<T> {
  items: readonly string[]
  value: T
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function memoizeByList<T>(derive: (list: readonly string[]) => T) {
  // Weak: a config that is replaced takes its derived values with it.
  const memos = new WeakMap<readonly string[], ListMemo<T>>()
  return (list: readonly string[]): T => {
    const memo = memos.get(list)
    if (memo !== undefined && sameItems(memo.items, list)) return memo.value
    const value = derive(list)
    memos.set(list, { items: [...list], value })
    return value
  }
}

/** The names in lower case, as a set; not to be modified. */
const lowerCaseSet = memoizeByList(
  (names) => new Set(names.map((name) => lowerCaseHeaderName(name))),
)

/** The Access-Control-Expose-Headers value for configured names, without and with the drafts. */
const exposeValueWithout = memoizeByList((names) => listExposedNames(names, false).join(', '))
const exposeValueWithDraft = memoizeByList((names) => listExposedNames(names, true).join(', '))
