/**
 * The answers of a recorded session, queued per request: the nth request with a given method,
 * path and query gets the nth recorded answer to it, in recorded order. Only answers the upstream
 * gave are kept: Tollgate's own 429s, preflight answers and "upstream unreachable" errors say
 * nothing about what the upstream would send.
 */

import type { ErrorCode } from '../../../shared/errors'
import { toRequestTarget } from '../replay/request-target'
import { MAX_LIMIT, type LoggedExchange, type LoggedSummary, type Store } from '../store'

/** Errors for which the recorded status came from Tollgate, not from the upstream. */
const GATEWAY_ANSWERS = new Set<ErrorCode>([
  'UPSTREAM_UNREACHABLE',
  'UPSTREAM_TIMEOUT',
  'BAD_REQUEST',
  'PROXY_LOOP',
  'INTERNAL',
])

/** The next answer for one request, and how many the recording held for it in all. */
export interface NextAnswer {
  exchange?: LoggedExchange
  held: number
}

/** A session's answers, read from the log on first use. */
export class RecordedAnswers {
  private queues: Map<string, number[]> | undefined
  private readonly used = new Map<string, number>()

  constructor(
    private readonly store: Pick<Store, 'flush' | 'list' | 'get'>,
    readonly session: string,
  ) {}

  /** How many answers the session holds in all; reads the log the first time. */
  get size(): number {
    let size = 0
    for (const queue of this.load().values()) size += queue.length
    return size
  }

  /** Takes the next answer for `method` and `target` (path and query, as sent). */
  next(method: string, target: string): NextAnswer {
    const name = `${method} ${target}`
    const queue = this.load().get(name) ?? []
    const position = this.used.get(name) ?? 0
    if (position >= queue.length) return { held: queue.length }

    this.used.set(name, position + 1)
    const exchange = this.store.get(queue[position]!)
    // Deleted since it was queued (retention, a clear): as if the recording had run out.
    return exchange === undefined ? { held: queue.length } : { exchange, held: queue.length }
  }

  /** Starts every queue from its first answer again, re-reading the session on next use. */
  reset(): void {
    this.queues = undefined
    this.used.clear()
  }

  private load(): Map<string, number[]> {
    if (this.queues !== undefined) return this.queues
    this.store.flush()

    const rows: LoggedSummary[] = []
    let before: number | undefined
    for (;;) {
      const page = this.store.list({ session: this.session, limit: MAX_LIMIT, before })
      rows.push(...page.items.filter(isUpstreamAnswer))
      if (page.nextCursor === undefined) break
      before = page.nextCursor
    }
    rows.sort((a, b) => a.startedAt - b.startedAt || a.id - b.id)

    const queues = new Map<string, number[]>()
    for (const row of rows) {
      const name = `${row.method} ${toRequestTarget(row.url)}`
      const queue = queues.get(name)
      if (queue === undefined) queues.set(name, [row.id])
      else queue.push(row.id)
    }
    this.queues = queues
    return queues
  }
}

function isUpstreamAnswer(row: LoggedSummary): boolean {
  if (row.kind !== 'http' || row.status === undefined || row.status < 200) return false
  if (row.rateLimit?.allowed === false) return false
  return row.errorCode === undefined || !GATEWAY_ANSWERS.has(row.errorCode)
}
