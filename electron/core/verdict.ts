/**
 * The CORS verdict: what a browser does with one exchange and why, with the change that would
 * fix it. Actual responses are judged the way a browser judges them, from the headers it
 * receives; the configuration only explains the cause.
 */

import type { CorsConfig } from '../../shared/config'
import type { CorsFinding, CorsVerdict, HeaderList } from '../../shared/exchange'
import { canonicalizeOrigin } from '../../shared/origin'
import { describeOriginDifference } from '../../shared/origin-difference'
import {
  findPreflightFailure,
  isOriginAllowed,
  type CorsRequest,
  type PreflightDecision,
  type PreflightFailure,
} from './cors'
import { isSafelistedMethod, lowerCaseHeaderName } from './cors-safelist'
import type { PreflightMatch } from './preflight-tracker'

/** The `credentials` option of the page's fetch(); `include` sends cookies cross-origin. */
export type CredentialsMode = 'omit' | 'same-origin' | 'include'

/** An actual request and the response the client received. */
export interface ActualVerdictInput {
  request: CorsRequest
  config: CorsConfig
  /** The response headers as sent, after `applyCorsToResponseHeaders`. */
  responseHeaders: HeaderList
  /** When unknown, a Cookie header is read as `include` and its absence as `same-origin`. */
  credentialsMode?: CredentialsMode
  /** From `PreflightTracker.matchActual`; undefined counts as missing. */
  preflight?: PreflightMatch
}

const SAFELISTED_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
])
// Transport and framework noise nobody reads from script; naming it would drown the real ones.
const UNINTERESTING_RESPONSE_HEADERS = new Set([
  'connection',
  'date',
  'keep-alive',
  'server',
  'set-cookie',
  'set-cookie2',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'vary',
  'x-powered-by',
])

/**
 * Judges a preflight by Tollgate's answer to it: refused means the actual request never happens,
 * blocked with rule `preflight-failed` and the check that failed in the detail.
 */
export function judgePreflight(
  request: CorsRequest,
  config: CorsConfig,
  decision: PreflightDecision,
): CorsVerdict {
  if (request.origin === undefined) return { outcome: 'not-cors', warnings: [] }
  const warnings = findConfigWarnings(config, undefined)
  if (decision.passed) return { outcome: 'allowed', warnings }

  const failure = decision.failure ?? findPreflightFailure(request, config)
  const method = request.requestedMethod ?? 'actual'
  const stop = ` The browser stops there and never sends the ${method} request.`
  const cause = failure ? describeFailure(failure, request, config) : refusedWithoutReason()
  // A refused preflight is a bare 403, so browsers report only that the preflight failed, never
  // which check; the rule says what the browser says and the detail keeps the real cause.
  const blocking: CorsFinding = {
    rule: 'preflight-failed',
    detail: cause.detail + stop,
    fix: cause.fix,
  }
  return { outcome: 'blocked', blocking, warnings }
}

/** Judges an actual request the way a browser would read its response. */
export function judgeActualRequest(input: ActualVerdictInput): CorsVerdict {
  const { request, config } = input
  if (request.origin === undefined) return { outcome: 'not-cors', warnings: [] }

  const credentialsMode = input.credentialsMode ?? (request.hasCookie ? 'include' : 'same-origin')
  const credentialed = credentialsMode === 'include'
  const warnings: CorsFinding[] = []
  const verdict = (blocking?: CorsFinding): CorsVerdict => {
    const blockingRule = blocking?.rule
    warnings.push(...findConfigWarnings(config, blockingRule))
    if (credentialed && !config.allowCredentials && blockingRule !== 'credentials-not-allowed') {
      warnings.push(credentialsNotAllowed(request, input.credentialsMode))
    }
    const preflight = describePreflightNeed(request, input.preflight)
    return { outcome: blocking ? 'blocked' : 'allowed', blocking, warnings, preflight }
  }

  if (!request.originIsSingle) return verdict(originNotSingle(request.origin))

  const preflightBlock = checkPreflight(input, warnings)
  if (preflightBlock) return verdict(preflightBlock)

  const response = readResponseCors(input.responseHeaders)
  const responseBlock = checkResponse(input, response, request.origin, credentialed)
  if (responseBlock) return verdict(responseBlock)

  const hidden = findHiddenHeaders(response, credentialed)
  if (hidden.length > 0) warnings.push(headersNotExposed(hidden))
  return verdict()
}

/** What the browser's CORS check reads from a response, gathered in one pass over it. */
interface ResponseCors {
  allowOrigin: string[]
  allowCredentials: string[]
  exposeHeaders: string[]
  /** Names as sent of the lines script could want: not safelisted, not noise, not CORS. */
  readableNames: string[]
}

function readResponseCors(headers: HeaderList): ResponseCors {
  const response: ResponseCors = {
    allowOrigin: [],
    allowCredentials: [],
    exposeHeaders: [],
    readableNames: [],
  }
  for (const [name, value] of headers) {
    const lower = lowerCaseHeaderName(name)
    if (lower.startsWith('access-control-')) {
      if (lower === 'access-control-allow-origin') response.allowOrigin.push(value)
      else if (lower === 'access-control-allow-credentials') response.allowCredentials.push(value)
      else if (lower === 'access-control-expose-headers') response.exposeHeaders.push(value)
    } else if (
      !SAFELISTED_RESPONSE_HEADERS.has(lower) &&
      !UNINTERESTING_RESPONSE_HEADERS.has(lower)
    ) {
      response.readableNames.push(name)
    }
  }
  return response
}

function describePreflightNeed(
  request: CorsRequest,
  match: PreflightMatch | undefined,
): CorsVerdict['preflight'] {
  if (!needsPreflightFor(request)) return undefined
  const found = match ?? { source: 'missing' }
  return found.source === 'missing'
    ? { needed: true, source: 'missing' }
    : { needed: true, source: found.source, exchangeId: found.exchangeId }
}

function needsPreflightFor(request: CorsRequest): boolean {
  return !isSafelistedMethod(request.method) || request.unsafeHeaderNames.length > 0
}

/** A refused preflight stops the browser; a missing one is re-run here to see if it would pass. */
function checkPreflight(
  input: ActualVerdictInput,
  warnings: CorsFinding[],
): CorsFinding | undefined {
  const { request, config } = input
  if (!needsPreflightFor(request)) return undefined
  const match = input.preflight ?? { source: 'missing' }
  // A preflight that passed, or one the browser still remembers, leaves nothing to explain.
  if (match.source !== 'missing' && match.passed) return undefined
  const simulated = simulatePreflight(request)
  const failure = findPreflightFailure(simulated, config)

  if (match.source === 'logged' && !match.passed) {
    const cause = failure ? describeFailure(failure, simulated, config) : refusedWithoutReason()
    return {
      rule: 'preflight-failed',
      detail: `The preflight for this request (exchange #${match.exchangeId}) was refused. ${cause.detail} A browser stops at a refused preflight and never sends the actual request, so this one came from a client that skips CORS.`,
      fix: cause.fix,
    }
  }
  if (match.source !== 'missing') return undefined

  warnings.push(preflightMissing(request))
  // An unlisted origin is explained from the response below; it fails either way.
  if (!failure || failure.rule === 'origin-not-allowed' || failure.rule === 'origin-not-single') {
    return undefined
  }
  const cause = describeFailure(failure, simulated, config)
  return {
    ...cause,
    detail: `A browser would first send a preflight for this request, and Tollgate would refuse it. ${cause.detail}`,
  }
}

/**
 * The preflight a browser would send before this request. Spelled out rather than spread: a
 * spread of an object built by a spread is copied field by field the slow way.
 */
function simulatePreflight(request: CorsRequest): CorsRequest {
  return {
    method: request.method,
    origin: request.origin,
    originIsSingle: request.originIsSingle,
    requestedMethod: request.method,
    requestedHeaders: request.unsafeHeaderNames,
    isPreflight: true,
    hasCookie: request.hasCookie,
    hasAuthorization: request.hasAuthorization,
    unsafeHeaderNames: request.unsafeHeaderNames,
  }
}

/** The browser's CORS check on the response: allowed origin first, then credentials. */
function checkResponse(
  input: ActualVerdictInput,
  response: ResponseCors,
  origin: string,
  credentialed: boolean,
): CorsFinding | undefined {
  const { allowOrigin, allowCredentials } = response

  if (allowOrigin.length === 0 && isOriginAllowed(origin, input.config.allowedOrigins)) {
    return {
      rule: 'origin-not-allowed',
      detail: `${origin} is in the allowlist, but this response carries no Access-Control-Allow-Origin, so the browser hides it from script.`,
      fix: "Apply Tollgate's CORS headers to every response to an allowed origin, its own errors included.",
    }
  }
  if (allowOrigin.length === 0) return originNotAllowed(origin, input.config)
  if (allowOrigin.length > 1 || (allowOrigin[0] ?? '').includes(',')) {
    return {
      rule: 'origin-not-allowed',
      detail: `The response carries several Access-Control-Allow-Origin values (${allowOrigin.join(' | ')}); browsers accept exactly one.`,
      fix: 'Send one Access-Control-Allow-Origin line: let Tollgate replace the upstream CORS headers instead of adding its own next to them.',
    }
  }

  const value = (allowOrigin[0] ?? '').trim()
  if (value === '*' && credentialed) return wildcardWithCredentials(input)
  if (value !== '*' && value !== origin) {
    return {
      rule: 'origin-not-allowed',
      detail: `The response says Access-Control-Allow-Origin: ${value}, which is not the request's Origin ${origin}.`,
      fix: `Answer with Access-Control-Allow-Origin: ${origin}, an exact copy of the request's Origin.`,
    }
  }
  if (credentialed && allowCredentials.join(', ') !== 'true') {
    return credentialsNotAllowed(input.request, input.credentialsMode)
  }
  return undefined
}

function describeFailure(
  failure: PreflightFailure,
  request: CorsRequest,
  config: CorsConfig,
): CorsFinding {
  switch (failure.rule) {
    case 'origin-not-single':
      return originNotSingle(request.origin ?? '')
    case 'origin-not-allowed':
      return originNotAllowed(request.origin ?? '', config)
    case 'method-not-allowed':
      return methodNotAllowed(failure.method, config)
    case 'header-not-allowed':
      return headerNotAllowed(failure.headers, config)
  }
}

function originNotSingle(origin: string): CorsFinding {
  return {
    rule: 'origin-not-single',
    detail: `The Origin header carries more than one origin ("${origin}"). Browsers send a single origin, so no allowlist entry can match it and no CORS headers are sent.`,
    fix: 'Send a single Origin value: find the client, proxy or library that adds a second one or merges several.',
  }
}

function originNotAllowed(origin: string, config: CorsConfig): CorsFinding {
  const { nearest, differences } = describeOriginDifference(origin, config.allowedOrigins)
  const near = nearest === undefined ? '' : `; the nearest entry is ${nearest}`
  const detail = [`Origin ${origin} is not in the allowlist${near}.`, ...differences].join(' ')

  const canonical = canonicalizeOrigin(origin)
  let fix = `Add ${origin} to cors.allowedOrigins if that site should read responses.`
  if (origin === 'null') {
    fix =
      'Serve the page from a real origin and list that; add null to cors.allowedOrigins only if every sandboxed iframe and file: page may read responses.'
  } else if (canonical !== undefined && canonical !== origin) {
    fix = `Make the client send ${canonical}, the form a browser sends.`
  } else if (nearest !== undefined && canonicalizeOrigin(nearest) === origin) {
    fix = `Change the entry ${nearest} to ${origin} in cors.allowedOrigins.`
  }
  return { rule: 'origin-not-allowed', detail, fix }
}

function methodNotAllowed(method: string, config: CorsConfig): CorsFinding {
  const listed = config.allowedMethods.join(', ') || 'none'
  const sameLetters = config.allowedMethods.find((m) => m.toLowerCase() === method.toLowerCase())
  const detail = `The preflight asks for method ${method}, which is not in allowedMethods (${listed}).`
  if (sameLetters === undefined) {
    return { rule: 'method-not-allowed', detail, fix: `Add ${method} to cors.allowedMethods.` }
  }
  return {
    rule: 'method-not-allowed',
    detail: `${detail} Methods compare case-sensitively, so ${method} does not match ${sameLetters}.`,
    fix: `Write the method as ${sameLetters} in the page; fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT by itself.`,
  }
}

function headerNotAllowed(headers: string[], config: CorsConfig): CorsFinding {
  const names = headers.join(', ')
  const plural = headers.length > 1
  const asks = `The preflight asks to send ${plural ? 'headers' : 'header'} ${names}`
  const wildcard = config.allowedHeaders.includes('*')

  let detail = `${asks}, which ${plural ? 'are' : 'is'} not in allowedHeaders (${config.allowedHeaders.join(', ') || 'none'}).`
  let fix = `Add ${names} to cors.allowedHeaders.`
  if (wildcard && config.allowCredentials) {
    detail = `${asks}. allowedHeaders is *, but with allowCredentials on browsers take * literally, so it covers no header at all.`
    fix = `List ${names} by name in cors.allowedHeaders.`
  } else if (wildcard) {
    detail = `${asks}. allowedHeaders is *, but * never covers Authorization: it has to be listed by name.`
    fix = 'Add Authorization to cors.allowedHeaders next to *.'
  }

  const usuallySafe = headers.filter((name) =>
    ['accept', 'accept-language', 'content-language', 'content-type'].includes(name.toLowerCase()),
  )
  if (usuallySafe.length > 0) {
    detail += ` ${usuallySafe.join(', ')} is normally sent without asking; the browser asks because the value is unusual (longer than 128 bytes, unusual characters, or a Content-Type other than form data or text/plain).`
  }
  return { rule: 'header-not-allowed', detail, fix }
}

function wildcardWithCredentials(input: ActualVerdictInput): CorsFinding {
  return {
    rule: 'wildcard-with-credentials',
    detail: `The response says Access-Control-Allow-Origin: *, but the request was sent with credentials (${describeCredentials(input.request, input.credentialsMode)}), and browsers never let script read a credentialed response marked *.`,
    fix: "List the exact origins in cors.allowedOrigins instead of *, or send the request without credentials (credentials: 'same-origin').",
  }
}

function credentialsNotAllowed(
  request: CorsRequest,
  mode: CredentialsMode | undefined,
): CorsFinding {
  return {
    rule: 'credentials-not-allowed',
    detail: `The request was sent with credentials (${describeCredentials(request, mode)}), but the response has no Access-Control-Allow-Credentials: true because cors.allowCredentials is false, so the browser hides it from script.`,
    fix: "Set cors.allowCredentials to true, or stop sending credentials from the page (drop credentials: 'include').",
  }
}

function describeCredentials(request: CorsRequest, mode: CredentialsMode | undefined): string {
  if (mode === 'include') return "credentials: 'include'"
  return request.hasCookie ? "a Cookie header, so credentials: 'include'" : "credentials: 'include'"
}

function preflightMissing(request: CorsRequest): CorsFinding {
  return {
    rule: 'preflight-missing',
    detail: describeMissingPreflight(request),
    fix: 'To see what a browser does, send the request from the page itself; scripts and API tools skip the preflight.',
  }
}

// Scripts and load tests skip preflights and send the same request over and over, so the last
// explanation is kept for the next request with the same method, origin and header names.
let lastMissingPreflight:
  { method: string; origin: string | undefined; names: string[]; detail: string } | undefined

function describeMissingPreflight(request: CorsRequest): string {
  const { method, origin, unsafeHeaderNames: names } = request
  const last = lastMissingPreflight
  if (last?.method === method && last.origin === origin && sameItems(last.names, names)) {
    return last.detail
  }

  const reasons: string[] = []
  if (!isSafelistedMethod(method)) reasons.push(`method ${method}`)
  if (names.length > 0) {
    reasons.push(`${names.length > 1 ? 'headers' : 'header'} ${names.join(', ')}`)
  }
  const detail = `A browser would send a preflight before this request (because of ${reasons.join(' and ')}), but Tollgate saw none from ${origin} for this URL. The client is probably not a browser, or the browser reused a preflight Tollgate did not see.`
  lastMissingPreflight = { method, origin, names: [...names], detail }
  return detail
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function headersNotExposed(names: string[]): CorsFinding {
  const plural = names.length > 1
  return {
    rule: 'header-not-exposed',
    detail: `Script cannot read ${names.join(', ')} from this response: ${plural ? 'they are' : 'it is'} not CORS-safelisted and not listed in Access-Control-Expose-Headers.`,
    fix: `Add ${names.join(', ')} to cors.exposeHeaders if the page reads ${plural ? 'them' : 'it'}.`,
  }
}

function findConfigWarnings(config: CorsConfig, blockingRule: string | undefined): CorsFinding[] {
  const wildcardOnly = config.allowedOrigins.length === 1 && config.allowedOrigins[0] === '*'
  if (!wildcardOnly || !config.allowCredentials) return []
  if (blockingRule === 'wildcard-with-credentials') return []
  return [
    {
      rule: 'wildcard-with-credentials',
      detail:
        "cors.allowedOrigins is * while cors.allowCredentials is true: every request the page sends with cookies (credentials: 'include') will be blocked, because browsers refuse * for credentialed reads.",
      fix: 'List the exact origins in cors.allowedOrigins instead of *.',
    },
  ]
}

function refusedWithoutReason(): CorsFinding {
  return {
    rule: 'preflight-failed',
    detail: 'The preflight was refused, and the current configuration no longer explains why.',
    fix: 'Send the request again from the page to get a preflight judged against the current configuration.',
  }
}

/** Response headers script cannot read: not safelisted, not exposed, not transport noise. */
function findHiddenHeaders(response: ResponseCors, credentialed: boolean): string[] {
  const hidden: string[] = []
  if (response.readableNames.length === 0) return hidden
  const exposed = exposedNames(response.exposeHeaders)
  // `*` exposes everything, but only to requests without credentials.
  if (exposed.has('*') && !credentialed) return hidden

  // Each name once, in the spelling of its first line.
  let listed: Set<string> | undefined
  for (const name of response.readableNames) {
    const lower = lowerCaseHeaderName(name)
    if (exposed.has(lower) || listed?.has(lower)) continue
    listed ??= new Set()
    listed.add(lower)
    hidden.push(name)
  }
  return hidden
}

// Every response to an allowed origin carries the same Access-Control-Expose-Headers value, so
// its parsed form is kept; bounded because an upstream's own values could vary without end.
const EXPOSED_VALUES_MAX = 100
const EXPOSED_VALUE_LENGTH_MAX = 1_000
const exposedByValue = new Map<string, ReadonlySet<string>>()
const NOTHING_EXPOSED: ReadonlySet<string> = new Set()

/** The lower-case names Access-Control-Expose-Headers lines list. */
function exposedNames(values: readonly string[]): ReadonlySet<string> {
  if (values.length === 0) return NOTHING_EXPOSED
  // Splitting the lines joined by commas gives the same items as splitting each line.
  const joined = values.length === 1 ? values[0]! : values.join(',')
  let names = exposedByValue.get(joined)
  if (names === undefined) {
    names = new Set(joined.split(',').map((name) => name.trim().toLowerCase()))
    if (joined.length <= EXPOSED_VALUE_LENGTH_MAX) {
      if (exposedByValue.size >= EXPOSED_VALUES_MAX) exposedByValue.clear()
      exposedByValue.set(joined, names)
    }
  }
  return names
}
