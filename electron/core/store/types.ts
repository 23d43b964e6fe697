/**
 * The traffic log's public shapes: what the proxy writes, what the control API reads.
 */

import type { RetentionConfig } from '../../../shared/config'
import type { ExchangeRecord, ExchangeSummary } from '../../../shared/exchange'
import type { Logger } from '../logger'

/**
 * How long each phase of an exchange took, in milliseconds, as a HAR file reports them; -1 means
 * the phase was not measured. `time` is the entry's total as the file gave it, or else the sum
 * of its measured phases.
 */
export interface ExchangeTimings {
  blocked: number
  dns: number
  connect: number
  ssl: number
  send: number
  wait: number
  receive: number
  time?: number
}

/**
 * An exchange as the log keeps it. `session` names the replay or import a row belongs to;
 * live traffic has none. `timings` is kept for imported exchanges only: live ones are described
 * by their start, first byte and end times alone.
 */
export type LoggedExchange = ExchangeRecord & { session?: string; timings?: ExchangeTimings }

/** A logged exchange without its bodies. */
export type LoggedSummary = ExchangeSummary & { session?: string }

/** Fields learned after an exchange was recorded, such as the request a preflight preceded. */
export type ExchangePatch = Partial<Omit<LoggedExchange, 'id'>>

export type StatusFilter = number | '2xx' | '3xx' | '4xx' | '5xx'

/** Which exchanges a list or count covers. Every field narrows; none means all. */
export interface ExchangeFilter {
  method?: string
  status?: StatusFilter
  keyHash?: string
  origin?: string
  outcome?: 'allowed' | 'blocked' | 'not-cors'
  kind?: string
  /** Case-insensitive (ASCII) substring of the url, either header list or either body. */
  text?: string
  /** `null` keeps live traffic only; a name keeps that session; undefined keeps both. */
  session?: string | null
}

export interface ListQuery extends ExchangeFilter {
  /** Default 100, at most 1000. */
  limit?: number
  /** Only exchanges with a smaller id: pass the previous page's `nextCursor`. */
  before?: number
  /** Only exchanges with a larger id: what arrived since the newest one shown. */
  after?: number
}

export interface ListPage {
  /** Newest first. */
  items: LoggedSummary[]
  /** Set when older items remain; pass it as `before` to read them. */
  nextCursor?: number
}

/** One point of a bucket's rate-limit budget, as the limiter saw it on one request. */
export interface BudgetPoint {
  /** When the request started, epoch milliseconds. */
  t: number
  remaining: number
  limit: number
  /** The request was refused. */
  limited: boolean
  /** The upstream's own Remaining on that response, when it reported one. */
  upstreamRemaining?: number
}

export interface StoreStatus {
  /** False while the last write failed; pending rows are kept and retried. */
  writable: boolean
  lastError?: string
  /** Recorded or updated in memory, not yet committed. */
  pending: number
  /** Rows thrown away, oldest first, because too many piled up while the file was unwritable. */
  dropped: number
  /** Rows SQLite refused for their own content (a reused id, a missing required field). */
  rejected: number
}

export interface StoreOptions {
  /** A file path, created with its directory when missing, or ':memory:'. */
  path: string
  logger: Logger
  /** Path to a better-sqlite3 addon built for the running runtime (Electron or Node). */
  nativeBinding?: string
  /** How long a recorded exchange may wait before it is written. Default 10. */
  flushIntervalMs?: number
  /** Exchanges written per transaction; reaching it also triggers a write. Default 500. */
  maxBatch?: number
  /** Writes kept in memory while the file is unwritable before the oldest go. Default 50 000. */
  maxPending?: number
  /** How long a write waits for another process's lock before it counts as failed. Default 100. */
  busyTimeoutMs?: number
  /** Default: keep everything. */
  retention?: RetentionConfig
  /** Least time between two retention runs, which happen after flushes. Default 2000. */
  retentionIntervalMs?: number
  /** Epoch milliseconds; used for retention by age. Default `Date.now`. */
  clock?: () => number
}

/** The traffic log: one SQLite file, one batching writer, reads of committed rows. */
export interface Store {
  /** Hands out the next exchange id at once, so related exchanges can point at each other. */
  nextId(): number
  /** Queues an exchange; never throws and never touches the disk. Do not mutate it afterwards. */
  record(exchange: LoggedExchange): void
  /** Queues a change to an exchange, applied after everything recorded before it. */
  update(id: number, patch: ExchangePatch): void
  /** Writes everything pending now. Never throws; a failure shows in `status()`. */
  flush(): void
  /** Flushes, then closes the file. */
  close(): void
  status(): StoreStatus
  /**
   * Calls `listener` after each committed batch with the summaries it inserted or changed; an
   * id seen before replaces the earlier summary. Inserts are told of when they were recorded
   * while someone listened. Returns the unsubscribe function.
   */
  onRecorded(listener: (summaries: LoggedSummary[]) => void): () => void
  /** A committed exchange with its bodies, or undefined. */
  get(id: number): LoggedExchange | undefined
  list(query?: ListQuery): ListPage
  count(filter?: ExchangeFilter): number
  /** Deletes every exchange, pending ones included. Ids keep counting up. */
  clear(): void
  /** A bucket's budget per request since `sinceMs`, oldest first, read from the log alone. */
  budgetSeries(bucket: string, sinceMs: number): BudgetPoint[]
}
