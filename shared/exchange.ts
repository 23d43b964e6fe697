/**
 * The data Tollgate records for every request it answers, shared by the core that writes it and
 * the UI that reads it.
 */

import type { ErrorCode } from './errors'

/** Header lines as they crossed the wire: original spelling, order and repeats kept. */
export type HeaderList = [name: string, value: string][]

export type ExchangeKind = 'http' | 'preflight' | 'websocket'

/** What the rate limiter decided for one request. Times are epoch milliseconds. */
export interface RateLimitDecision {
  /** The budget the request was charged to: `key <hash>` or `anonymous <ip>`. */
  bucket: string
  allowed: boolean
  limit: number
  windowMs: number
  /** Requests left in the window after this one; never below 0. */
  remaining: number
  /** When Remaining next rises. */
  resetAt: number
  /** Whole seconds to wait, on refused requests only. */
  retryAfterSeconds?: number
  /** False when Tollgate only observes and never refuses. */
  enforced: boolean
}

/** Rate-limit figures the upstream itself reported on its response. */
export interface ObservedRateLimit {
  source: 'x-ratelimit' | 'ietf-draft'
  limit?: number
  remaining?: number
  /** Epoch milliseconds. */
  resetAt?: number
}

/** The browser rule a CORS verdict names. */
export type CorsRule =
  | 'origin-not-allowed'
  | 'origin-not-single'
  | 'method-not-allowed'
  | 'header-not-allowed'
  | 'wildcard-with-credentials'
  | 'credentials-not-allowed'
  | 'preflight-failed'
  | 'header-not-exposed'
  | 'preflight-missing'

export interface CorsFinding {
  rule: CorsRule
  /** What exactly differs, with the values involved. */
  detail: string
  /** The one change that would make the browser accept it. */
  fix: string
}

/** What a browser does with one exchange, and why. */
export interface CorsVerdict {
  /** `not-cors` for requests without an Origin. */
  outcome: 'allowed' | 'blocked' | 'not-cors'
  /** Set when blocked: the rule that failed first. */
  blocking?: CorsFinding
  /** Problems that do not block this request but will bite. */
  warnings: CorsFinding[]
  /** Whether the browser had to ask first, and how the preflight was found. */
  preflight?: {
    needed: boolean
    source: 'logged' | 'browser-cache' | 'missing'
    exchangeId?: number
  }
}

/** One request and its answer, as the traffic log keeps it. */
export interface ExchangeRecord {
  id: number
  kind: ExchangeKind
  /** Epoch milliseconds. */
  startedAt: number
  firstByteAt?: number
  endedAt?: number
  method: string
  /** Path and query as the client sent them. */
  url: string
  httpVersion: string
  status?: number
  clientAddress: string
  keyMasked?: string
  keyHash?: string
  origin?: string
  requestHeaders: HeaderList
  responseHeaders?: HeaderList
  requestBody: Uint8Array
  requestBodySize: number
  requestBodyTruncated: boolean
  responseBody: Uint8Array
  responseBodySize: number
  responseBodyTruncated: boolean
  errorCode?: ErrorCode
  errorMessage?: string
  rateLimit?: RateLimitDecision
  upstreamRateLimit?: ObservedRateLimit
  cors?: CorsVerdict
  /** The preflight this request followed, or for a preflight the request it preceded. */
  pairedId?: number
  /** Set on a replayed request: the id of the recorded exchange it was sent again from. */
  replayOf?: number
}

/** An exchange without its bodies: what lists and live events carry. */
export type ExchangeSummary = Omit<ExchangeRecord, 'requestBody' | 'responseBody'>
