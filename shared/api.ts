/**
 * The control API's contract: every method the UI may call and every event the core pushes.
 * Methods are `POST /api/<method>` with a JSON body of params and the token as a Bearer
 * credential; events arrive on the WebSocket at `/api/events`.
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
  'budgets.series': [{ bucket: string; sinceMs?: number }, BudgetPoint[]]
  'config.get': [Record<string, never>, ConfigView]
  /** Applies and persists a partial config; refused as a whole with CONFIG_INVALID. */
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

