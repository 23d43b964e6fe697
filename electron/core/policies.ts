import type { BudgetSummary } from '../../shared/api'
import { limitFor, type TollgateConfig } from '../../shared/config'
import type { ExchangeRecord, HeaderList } from '../../shared/exchange'
import { maskKey } from '../../shared/keys'
import { bucketFor, extractKey, hashKey } from './api-key'
import type { Clock } from './clock'
import { BucketsSeen } from './buckets-seen'
import { SlidingWindowLimiter } from './limiter'
import type { Logger } from './logger'
import type { Decision, GatewayRequest } from './proxy/gateway'
import {
  applyCorsToResponseHeaders,
  type CorsRequest,
  decideActualRequest,
  decidePreflight,
  readCorsRequest,
} from './cors'
import { isSafelistedMethod, lowerCaseHeaderName } from './cors-safelist'
import { PreflightTracker } from './preflight-tracker'
import { judgeActualRequest, judgePreflight } from './verdict'
import {
  parseUpstreamRateLimit,
  RATE_LIMITED_BODY,
  RATE_LIMITED_CONTENT_TYPE,
  rateLimitHeaders,
} from './rate-limit-headers'

export interface PolicyOptions {
  config(): TollgateConfig
  clock: Clock
  logger: Logger
  /** Records that preflight `preflightId` preceded request `requestId` on the preflight's row. */
  linkPreflight(preflightId: number, requestId: number): void
}

/** Rate-limit fields an upstream may send that Tollgate's own replace when it enforces. */
const UPSTREAM_BUDGET_HEADERS = new Set([
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit',
  'ratelimit-policy',
])

/**
 * Puts the gateway's policies in front of every request: preflights are answered here and never
 * counted; other requests are charged to their key's budget, refused with 429 when it is spent,
 * and every response that goes out gets the budget and CORS headers and a browser verdict.
 */
export function createPolicies(options: PolicyOptions) {
  const limiter = new SlidingWindowLimiter()
  const seen = new BucketsSeen()

  // Empty buckets are dropped regularly so memory follows the keys in use.
  const sweeper = setInterval(() => {
    const now = options.clock()
    limiter.sweep(now)
    seen.prune(now, options.config().rateLimit)
  }, 5_000)
  sweeper.unref()

  const preflights = new PreflightTracker()

  const answerPreflight = (request: GatewayRequest, cors: CorsRequest): Decision => {
    const config = options.config().cors
    const decision = decidePreflight(cors, config)
    preflights.recordPreflight({
      id: request.id,
      origin: cors.origin!,
      url: request.url,
      time: request.startedAt,
      passed: decision.passed,
      maxAgeSeconds: decision.maxAgeSeconds,
      method: cors.requestedMethod!,
      headers: cors.requestedHeaders,
    })

    return {
      answer: { kind: 'preflight', status: decision.status, headers: decision.headers, body: '' },
      fields: { origin: cors.origin, cors: judgePreflight(cors, config, decision) },
      respond: (headers) => ({ headers }),
    }
  }

  const decide = (request: GatewayRequest): Decision => {
    const cors = readCorsRequest(request.method, request.rawHeaders)
    if (cors.isPreflight) return answerPreflight(request, cors)

    const config = options.config()
    const now = request.startedAt
    const key = extractKey(request.rawHeaders, config.keys.headers)
    const bucket = bucketFor(key, request.clientAddress)
    const enforce = config.rateLimit.enforce
    const draftHeaders = config.rateLimit.draftHeaders

    const rateLimit = limiter.consume(bucket, now, limitFor(config.rateLimit, key), enforce)
    seen.note(bucket, key, now, rateLimit)
    const budgetHeaders = rateLimitHeaders(rateLimit, { draftHeaders, now })
    const corsHeaders = decideActualRequest(cors, config.cors, {
      draftRateLimitHeaders: draftHeaders,
    }).headers
    const preflight =
      cors.origin !== undefined && needsPreflightFor(cors)
        ? preflights.matchActual({
            origin: cors.origin,
            url: request.url,
            method: request.method,
            time: now,
            headers: cors.unsafeHeaderNames,
          })
        : undefined
    if (preflight?.source === 'logged') options.linkPreflight(preflight.exchangeId, request.id)

    return {
      answer: rateLimit.allowed
        ? undefined
        : {
            kind: 'http',
            status: 429,
            headers: [['Content-Type', RATE_LIMITED_CONTENT_TYPE]],
            body: RATE_LIMITED_BODY,
          },
      fields: {
        rateLimit,
        keyHash: key === undefined ? undefined : hashKey(key),
        keyMasked: key === undefined ? undefined : maskKey(key),
        origin: cors.origin,
        pairedId: preflight?.source === 'missing' ? undefined : preflight?.exchangeId,
      },
      respond(headers) {
        // One pass: Tollgate's budget replaces the upstream's, which is kept for the log.
        const budgeted: HeaderList = []
        let upstreamReportsBudget = false
        for (const line of headers) {
          const name = lowerCaseHeaderName(line[0])
          if (name.includes('ratelimit')) {
            upstreamReportsBudget = true
            if (enforce && UPSTREAM_BUDGET_HEADERS.has(name)) continue
          }
          budgeted.push(line)
        }
        // Observing only: the client keeps seeing the upstream's own budget.
        if (enforce) for (const line of budgetHeaders) budgeted.push(line)
        const observed = upstreamReportsBudget ? parseUpstreamRateLimit(headers, now) : undefined
        const out = applyCorsToResponseHeaders(budgeted, corsHeaders)
        const verdict = judgeActualRequest({
          request: cors,
          config: config.cors,
          responseHeaders: out,
          preflight,
        })
        const fields: Partial<ExchangeRecord> = { cors: verdict }
        if (observed) fields.upstreamRateLimit = observed
        return { headers: out, fields }
      },
    }
  }

  /** Live budgets, newest activity last: every bucket seen, or the named ones. */
  const budgets = (now: number, buckets?: string[]): BudgetSummary[] => {
    const rateLimit = options.config().rateLimit
    const summaries: BudgetSummary[] = []
    for (const [bucket, entry] of seen.list(buckets)) {
      const policy = seen.policyOf(entry, rateLimit)
      const budget = limiter.peek(bucket, now, policy)
      summaries.push({
        bucket,
        keyMasked: entry.keyMasked,
        keyHash: entry.keyHash,
        limit: budget.limit,
        windowMs: budget.windowMs,
        remaining: budget.remaining,
        resetAt: budget.resetAt,
        refused: entry.refusals.count(now, policy.windowMs),
        lastSeenAt: entry.lastSeenAt,
      })
    }
    return summaries
  }

  return {
    decide,
    limiter,
    budgets,
    /** Live buckets pick up new limits on their next request; nothing to rebuild. */
    configChanged() {},
    close() {
      clearInterval(sweeper)
    },
  }
}

/** Whether a browser would have asked first, from what readCorsRequest already found. */
function needsPreflightFor(cors: CorsRequest): boolean {
  return !isSafelistedMethod(cors.method) || cors.unsafeHeaderNames.length > 0
}
