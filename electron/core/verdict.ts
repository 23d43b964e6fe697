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
import { isSafelistedMethod } from './cors-safelist'
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

  const responseBlock = checkResponse(input, request.origin, credentialed)
  if (responseBlock) return verdict(responseBlock)

  const hidden = findHiddenHeaders(input.responseHeaders, credentialed)
  if (hidden.length > 0) warnings.push(headersNotExposed(hidden))
  return verdict()
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
  const simulated: CorsRequest = {
    ...request,
    isPreflight: true,
    requestedMethod: request.method,
    requestedHeaders: request.unsafeHeaderNames,
  }
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

/** The browser's CORS check on the response: allowed origin first, then credentials. */
function checkResponse(
  input: ActualVerdictInput,
  origin: string,
  credentialed: boolean,
): CorsFinding | undefined {
  const allowOrigin = readHeader(input.responseHeaders, 'access-control-allow-origin')
  const allowCredentials = readHeader(input.responseHeaders, 'access-control-allow-credentials')

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
  const names = request.unsafeHeaderNames
  const reasons = [
    ...(isSafelistedMethod(request.method) ? [] : [`method ${request.method}`]),
    ...(names.length > 0 ? [`${names.length > 1 ? 'headers' : 'header'} ${names.join(', ')}`] : []),
  ]
  return {
    rule: 'preflight-missing',
    detail: `A browser would send a preflight before this request (because of ${reasons.join(' and ')}), but Tollgate saw none from ${request.origin} for this URL. The client is probably not a browser, or the browser reused a preflight Tollgate did not see.`,
    fix: 'To see what a browser does, send the request from the page itself; scripts and API tools skip the preflight.',
  }
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
function findHiddenHeaders(headers: HeaderList, credentialed: boolean): string[] {
  const exposed = new Set(
    readHeader(headers, 'access-control-expose-headers')
      .flatMap((value) => value.split(','))
      .map((name) => name.trim().toLowerCase()),
  )
  // `*` exposes everything, but only to requests without credentials.
  if (exposed.has('*') && !credentialed) return []

  const hidden = new Map<string, string>()
  for (const [name] of headers) {
    const lower = name.toLowerCase()
    const quiet =
      SAFELISTED_RESPONSE_HEADERS.has(lower) ||
      UNINTERESTING_RESPONSE_HEADERS.has(lower) ||
      lower.startsWith('access-control-') ||
      exposed.has(lower)
    if (!quiet && !hidden.has(lower)) hidden.set(lower, name)
  }
  return [...hidden.values()]
}

function readHeader(headers: HeaderList, lowerName: string): string[] {
  return headers.filter(([name]) => name.toLowerCase() === lowerName).map(([, value]) => value)
}
