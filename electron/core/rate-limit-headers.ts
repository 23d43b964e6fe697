/**
 * Turning a rate-limit decision into response headers, and reading the figures an upstream
 * reports about its own limit. Both are pure: the proxy applies the result.
 */

import type { HeaderList, ObservedRateLimit, RateLimitDecision } from '../../shared/exchange'
import { lowerCaseHeaderName } from './cors-safelist'

/** The exact body of the 429 Tollgate answers itself, sent as `application/json`. */
export const RATE_LIMITED_BODY = JSON.stringify({
  error: 'rate_limited',
  message: 'Rate limit exceeded. Please retry after the window resets.',
})

export const RATE_LIMITED_CONTENT_TYPE = 'application/json'

export interface RateLimitHeaderOptions {
  /** Also emit the IETF httpapi draft `RateLimit-Policy` and `RateLimit` fields. */
  draftHeaders: boolean
  /** Epoch ms of the decision; the draft `t=` parameter counts seconds from it. */
  now: number
}

/**
 * The headers a counted response carries: `X-RateLimit-Limit`, `-Remaining`, `-Reset` (Unix
 * seconds, rounded up), `Retry-After` on refused requests only, and the draft fields when asked.
 */
export function rateLimitHeaders(
  decision: RateLimitDecision,
  options: RateLimitHeaderOptions,
): HeaderList {
  const headers: HeaderList = [
    ['X-RateLimit-Limit', String(decision.limit)],
    ['X-RateLimit-Remaining', String(decision.remaining)],
    ['X-RateLimit-Reset', String(Math.ceil(decision.resetAt / 1000))],
  ]
  if (!decision.allowed) {
    headers.push(['Retry-After', String(Math.max(1, decision.retryAfterSeconds ?? 1))])
  }

  if (options.draftHeaders) {
    // The draft counts in whole seconds; rounding up never promises capacity early.
    const windowSeconds = Math.ceil(decision.windowMs / 1000)
    const secondsToReset = Math.max(0, Math.ceil((decision.resetAt - options.now) / 1000))
    headers.push(
      ['RateLimit-Policy', `"default";q=${decision.limit};w=${windowSeconds}`],
      ['RateLimit', `"default";r=${decision.remaining};t=${secondsToReset}`],
    )
  }
  return headers
}

/** The rate-limit header names a browser script may read, for `Access-Control-Expose-Headers`. */
export function rateLimitHeaderNames(draftHeaders: boolean): string[] {
  const names = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After']
  return draftHeaders ? [...names, 'RateLimit-Policy', 'RateLimit'] : names
}

/**
 * Reads the limit an upstream announces on its own response. `X-RateLimit-*` wins over the IETF
 * fields when both are present. Understood forms:
 * - `X-RateLimit-Limit`, `-Remaining`, `-Reset`; Reset below 1e9 is a delay in seconds, up to
 *   1e12 Unix seconds, above that epoch ms; an HTTP date is also accepted.
 * - `RateLimit: "name";r=<remaining>;t=<seconds>` with `RateLimit-Policy: "name";q=<limit>`
 *   (first policy listed), the older `limit=, remaining=, reset=` spelling, and the separate
 *   `RateLimit-Limit`, `-Remaining`, `-Reset` (delay seconds) fields.
 * Returns undefined when the upstream reports nothing usable.
 */
export function parseUpstreamRateLimit(
  headers: HeaderList,
  now: number,
): ObservedRateLimit | undefined {
  const legacy = observe('x-ratelimit', {
    limit: parseCount(firstValue(headers, 'x-ratelimit-limit')),
    remaining: parseCount(firstValue(headers, 'x-ratelimit-remaining')),
    resetAt: parseResetAt(firstValue(headers, 'x-ratelimit-reset'), now),
  })
  if (legacy !== undefined) return legacy

  const fields = parseParameters(firstValue(headers, 'ratelimit'))
  const policy = parseParameters(firstValue(headers, 'ratelimit-policy'))
  const delay = parseCount(
    fields.get('t') ?? fields.get('reset') ?? firstValue(headers, 'ratelimit-reset'),
  )
  return observe('ietf-draft', {
    limit: parseCount(
      policy.get('q') ??
        fields.get('limit') ??
        firstValue(headers, 'ratelimit-limit') ??
        policy.get(''),
    ),
    remaining: parseCount(
      fields.get('r') ?? fields.get('remaining') ?? firstValue(headers, 'ratelimit-remaining'),
    ),
    resetAt: delay === undefined ? undefined : now + delay * 1000,
  })
}

function observe(
  source: ObservedRateLimit['source'],
  figures: Omit<ObservedRateLimit, 'source'>,
): ObservedRateLimit | undefined {
  const { limit, remaining, resetAt } = figures
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined

  const observed: ObservedRateLimit = { source }
  if (limit !== undefined) observed.limit = limit
  if (remaining !== undefined) observed.remaining = remaining
  if (resetAt !== undefined) observed.resetAt = resetAt
  return observed
}

function firstValue(headers: HeaderList, lowerName: string): string | undefined {
  for (const [name, value] of headers) {
    if (lowerCaseHeaderName(name) === lowerName) return value
  }
  return undefined
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined
  return Number(value)
}

function parseResetAt(value: string | undefined, now: number): number | undefined {
  const seconds = parseCount(value)
  if (seconds === undefined) {
    const date = value === undefined ? NaN : Date.parse(value)
    return Number.isFinite(date) ? date : undefined
  }

  if (seconds < 1e9) return now + seconds * 1000
  if (seconds < 1e12) return seconds * 1000
  return seconds
}

/**
 * Collects `name=value` parameters from a structured field, first occurrence winning so the
 * first listed policy is the one read. A bare leading number (`100;w=60`) is stored under ''.
 */
function parseParameters(value: string | undefined): Map<string, string> {
  const parameters = new Map<string, string>()
  if (value === undefined) return parameters

  for (const part of value.split(/[;,]/)) {
    const separator = part.indexOf('=')
    const name = separator === -1 ? '' : part.slice(0, separator).trim().toLowerCase()
    const raw = separator === -1 ? part : part.slice(separator + 1)
    if (separator === -1 && !/^\s*\d+\s*$/.test(raw)) continue
    if (!parameters.has(name)) parameters.set(name, raw.trim())
  }
  return parameters
}
