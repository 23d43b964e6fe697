/**
 * The control API's contract: every method the UI may call and every event the core pushes.
 *
 * - Methods are `POST /api/<method>` with a JSON body of params (an empty body means `{}`) and
 *   `Authorization: Bearer <token>`. Success is 200 with the result as the body; a failure is a
 *   4xx/5xx with an `ErrorBody`: 400 BAD_REQUEST or CONFIG_INVALID, 401 UNAUTHORIZED (no or a
 *   wrong token), 403 FORBIDDEN, 404 NOT_FOUND (unknown method or id), 503 DB_UNAVAILABLE.
 * - Events arrive on the WebSocket at `/api/events?token=<token>`: browsers cannot set headers
 *   on a WebSocket, so the token rides in the query. Each message is one `ControlEvent` as JSON;
 *   the server ignores what the client sends.
 * - Every request, the handshake included, is refused with 403 when its `Host` is not a
 *   loopback name (127.0.0.1, localhost, [::1]) with the control port, or when it carries an
 *   `Origin` other than the control server's own: the UI must be loaded from the control
 *   server itself. The token arrives in the UI's URL fragment, `#token=<token>`.
 * - API keys in request headers are masked in lists, events and `traffic.get`, unless
 *   `traffic.get` is called with `reveal: true`.
 */

import type { TollgateConfig, TollgateConfigInput } from './config'
import type { ErrorBody } from './errors'
import type { ExchangeKind, ExchangeSummary } from './exchange'
import type { OriginEntryResult } from './origin'

/** Filters over the traffic log; every field narrows the list. */
export interface TrafficFilter {
  method?: string
  status?: number | '2xx' | '3xx' | '4xx' | '5xx'
  keyHash?: string
  origin?: string
  outcome?: 'allowed' | 'blocked' | 'not-cors'
  kind?: ExchangeKind
  /** Substring searched in URLs, headers and bodies. */
  text?: string
}

/** One exchange in full. Bodies are base64 so any bytes survive JSON. */
export interface ExchangeDetail extends ExchangeSummary {
  requestBodyBase64: string
  responseBodyBase64: string
}

/** One budget's state now: what the budget chart and the key list show. */
export interface BudgetSummary {
  bucket: string
  keyMasked?: string
  keyHash?: string
  limit: number
  windowMs: number
  remaining: number
  /** Epoch ms when Remaining next rises. */
  resetAt: number
  /** Requests refused with 429 in the current window. */
  refused: number
  lastSeenAt: number
}

export interface BudgetPoint {
  t: number
  remaining: number
  limit: number
  limited: boolean
  /** The upstream's own Remaining on that response, when it reported one. */
  upstreamRemaining?: number
}

/** Where things are and whether logging works: what the header bar shows. */
export interface StatusInfo {
  proxyUrl: string
  upstream: string
  sampleUpstream: boolean
  db: string
  logging: { writable: boolean; lastError?: string; pending: number; dropped: number }
  version: string
}

export interface ConfigView {
  config: TollgateConfig
  /** One result per allowlist entry, with the reason it can never match and its fix. */
  origins: OriginEntryResult[]
}

/** Method name -> [params, result]. */
export interface ControlMethods {
  'status.get': [Record<string, never>, StatusInfo]
  'traffic.list': [
    { filter?: TrafficFilter; before?: number; limit?: number },
    { items: ExchangeSummary[]; nextCursor?: number },
  ]
  /** `reveal` shows API keys in headers in clear; otherwise they are masked. */
  'traffic.get': [{ id: number; reveal?: boolean }, ExchangeDetail]
  'traffic.clear': [Record<string, never>, { cleared: true }]
  'budgets.list': [Record<string, never>, BudgetSummary[]]
  /** Oldest first; `sinceMs` (epoch ms) defaults to 15 minutes ago. */
  'budgets.series': [{ bucket: string; sinceMs?: number }, BudgetPoint[]]
  'config.get': [Record<string, never>, ConfigView]
  /**
   * Applies and persists a partial config; refused as a whole with CONFIG_INVALID, also when it
   * would move `listen` or `db` or remove `upstream`, which are fixed while Tollgate runs.
   */
  'config.update': [{ change: TollgateConfigInput }, ConfigView]
}

export type ControlMethod = keyof ControlMethods
export type ParamsOf<M extends ControlMethod> = ControlMethods[M][0]
export type ResultOf<M extends ControlMethod> = ControlMethods[M][1]

/** Pushed events, past tense, coalesced into a few batches a second. */
export type ControlEvent =
  | { type: 'traffic.recorded'; exchanges: ExchangeSummary[] }
  | { type: 'traffic.cleared' }
  | { type: 'budget.changed'; budgets: BudgetSummary[] }
  | { type: 'config.changed'; view: ConfigView }
  | { type: 'status.changed'; status: StatusInfo }

/** What a failed call answers, with a 4xx/5xx status. */
export type ControlError = ErrorBody
