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
 * - HAR files move as raw bodies, not JSON params, on two routes with the same token and checks:
 *   `GET /api/har.export?filter=<JSON SelectionFilter>&reveal=true` answers the selected
 *   exchanges as a HAR 1.2 attachment (keys masked unless `reveal=true`), and
 *   `POST /api/har.import?session=<name>` takes a HAR file as its body and answers a
 *   `HarImportSummary`. A HAR body that is not HAR is 400 HAR_INVALID.
 */

import type { TollgateConfig, TollgateConfigInput } from './config'
import type { ErrorBody, ErrorCode } from './errors'
import type { CorsRule, ExchangeKind, ExchangeSummary, HeaderList } from './exchange'
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
  /** The demo pages, when Tollgate serves them: one allowed origin, one not on the list. */
  demo?: { allowedUrl: string; blockedUrl: string }
}

export interface ConfigView {
  config: TollgateConfig
  /** One result per allowlist entry, with the reason it can never match and its fix. */
  origins: OriginEntryResult[]
}

/** A filter over the log for replays and "what if" runs: the traffic filter, plus a session. */
export type SelectionFilter = TrafficFilter & { session?: string }

/**
 * Which recorded exchanges a replay or "what if" run takes: one exchange (optionally edited
 * first: each given field replaces the recorded one), a list of ids, a session, or a filter.
 */
export type ReplaySelectionParams =
  | {
      id: number
      edit?: { method?: string; url?: string; headers?: HeaderList; bodyBase64?: string }
    }
  | { ids: number[] }
  | { session: string }
  | { filter: SelectionFilter }

/**
 * How replayed requests are spaced: at their recorded offsets divided by `speed` (default 1),
 * evenly at `rate` requests a second, or as fast as the concurrency cap allows.
 */
export type ReplayPacing =
  { mode: 'original'; speed?: number } | { mode: 'rate'; rate: number } | { mode: 'fastest' }

/** A replay's counts so far. */
export interface ReplayProgress {
  total: number
  sent: number
  completed: number
  /** Completed with an HTTP answer, the gateway's own 502 or 504 included. */
  answered: number
  failed: number
  limited: number
  changed: number
}

/** Why a replayed request counts as failed. */
export interface ReplayFailure {
  /**
   * `unsendable`: its recorded method, URL or headers are not valid HTTP; `network`: no complete
   * response came from the gateway; `upstream`: Tollgate answered 502/504 itself because the
   * upstream was unreachable or too slow; `cancelled`: the run stopped while it was in flight.
   */
  reason: 'unsendable' | 'network' | 'upstream' | 'cancelled'
  code?: ErrorCode
  message: string
}

/** One replayed request beside the exchange it replays. */
export interface ReplayedRequest {
  index: number
  originalId: number
  method: string
  /** Path and query sent. */
  target: string
  /** The budget charged: `key <hash>` or `anonymous <address>`. */
  bucket: string
  keyMasked?: string
  originalStatus?: number
  /** Absent when no response came. */
  status?: number
  failure?: ReplayFailure
  /** When it was due and when it left, ms after the run started; no due time for `fastest`. */
  dueMs?: number
  sentMs: number
  durationMs: number
}

/** A status change between recording and replay (`none`: nothing recorded; `failed`: no answer). */
export interface StatusChange {
  from: number | 'none'
  to: number | 'failed'
  count: number
}

/** A replay's counts for one budget. Requests = succeeded + limited + other + failed. */
export interface KeyReplaySummary {
  bucket: string
  keyMasked?: string
  requests: number
  /** 2xx. */
  succeeded: number
  /** 429. */
  limited: number
  other: number
  failed: number
  /** Requests whose status differs from the recorded one; `changes` says how, most often first. */
  changed: number
  changes: StatusChange[]
}

export interface ReplayTotals {
  requests: number
  succeeded: number
  limited: number
  other: number
  failed: number
  changed: number
}

/** How late requests left against their schedule, in ms. */
export interface Lateness {
  p50: number
  p99: number
  max: number
}

/** What `replay.finished` reports: the run's summary and the requests whose status changed. */
export interface ReplayRunSummary {
  keys: KeyReplaySummary[]
  totals: ReplayTotals & { skipped: number; changes: StatusChange[] }
  cancelled: boolean
  lateness?: Lateness
  durationMs: number
  /** The first 500 requests whose status changed. */
  changedRequests: ReplayedRequest[]
  /** Set when the run could not start or broke off. */
  error?: { code: ErrorCode; message: string }
}

/** A budget's prediction in a "what if" run. */
export interface WhatIfKeySummary {
  bucket: string
  keyMasked?: string
  limit: number
  windowMs: number
  requests: number
  limited: number
  firstLimitedAt?: number
}

/** One request whose predicted status or CORS outcome differs. */
export interface WhatIfDifferenceView {
  id?: number
  method: string
  url: string
  startedAt: number
  before: { status?: number; cors?: 'allowed' | 'blocked' | 'not-cors' }
  after: { status?: number; cors: 'allowed' | 'blocked' | 'not-cors'; corsRule?: CorsRule }
}

/**
 * A "what if" run. With a config change, `keys` and `totals` are under the changed config and
 * differences are against the current one; without, they are under the current config and
 * differences are against the recorded statuses.
 */
export interface WhatIfResult {
  comparedWith: 'current' | 'recorded'
  keys: WhatIfKeySummary[]
  totals: { requests: number; preflights: number; limited: number; corsBlocked: number }
  /** The first 1000 differences; `differenceCount` counts them all. */
  differences: WhatIfDifferenceView[]
  differenceCount: number
}

/** What `POST /api/har.import` answers: entries recorded and those left out, with why. */
export interface HarImportSummary {
  session: string
  imported: number
  skipped: number
  problems: { index: number; problem: string }[]
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
  /**
   * Starts a replay through this Tollgate's proxy; progress arrives as `replay.progressed` and
   * the outcome as `replay.finished`. `concurrency` defaults to 32, `pacing` to the recorded timing.
   */
  'replay.start': [
    { selection: ReplaySelectionParams; pacing?: ReplayPacing; concurrency?: number },
    { runId: string },
  ]
  /** Stops a running replay; `cancelled` is false when it had already finished. */
  'replay.cancel': [{ runId: string }, { cancelled: boolean }]
  /** Runs the selection offline through the policies, under the current or a changed config. */
  'whatif.run': [{ selection: ReplaySelectionParams; change?: TollgateConfigInput }, WhatIfResult]
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
  /** At most one every 250 ms per run. */
  | { type: 'replay.progressed'; runId: string; progress: ReplayProgress }
  | { type: 'replay.finished'; runId: string; summary: ReplayRunSummary }

/** What a failed call answers, with a 4xx/5xx status. */
export type ControlError = ErrorBody
