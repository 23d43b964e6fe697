/**
 * Pushes what changes in the core to every connected UI. Recorded traffic is coalesced: rows
 * gather for up to one interval and leave as one `traffic.recorded` message with the
 * `budget.changed` of the buckets they touched, so a burst of thousands of requests a second
 * costs the UI a few messages a second.
 */

import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'
import type { BudgetSummary, ControlEvent, StatusInfo } from '../../../shared/api'
import type { ExchangeSummary } from '../../../shared/exchange'
import type { Logger } from '../logger'

/** What the hub reads from the core. */
export interface EventSource {
  /** Subscribes to committed rows; an id seen before replaces the earlier summary. */
  onRecorded(listener: (summaries: ExchangeSummary[]) => void): () => void
  budgets(buckets: string[]): BudgetSummary[]
  status(): StatusInfo
  /** The form a summary is shown in (keys masked). */
  present(summary: ExchangeSummary): ExchangeSummary
}

export interface EventHubOptions {
  /** Least time between two batches. Default 200 ms. */
  intervalMs?: number
  /** Rows that make a batch leave early, which keeps each message a bounded size. Default 2000. */
  maxBatch?: number
  /** How often the log's health is compared with what was last sent. Default 1000 ms. */
  statusIntervalMs?: number
  logger: Logger
}

export interface EventHub {
  /** Starts sending events to a connected socket until it closes. */
  add(socket: WebSocket): void
  /** Sends an event now; a `traffic.cleared` also drops rows not yet sent. */
  publish(event: ControlEvent): void
  /** Closes every socket and stops listening. */
  close(): void
}

/** A client this far behind is disconnected; it reconnects and reloads what it shows. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

/** Creates the hub and subscribes it to the core. */
export function createEventHub(source: EventSource, options: EventHubOptions): EventHub {
  const intervalMs = options.intervalMs ?? 200
  const maxBatch = options.maxBatch ?? 2000
  const clients = new Set<WebSocket>()

  let pending = new Map<number, ExchangeSummary>()
  const touched = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let lastFlushAt = -Infinity
  let lastStatus = describeStatus(source.status())

  const broadcast = (event: ControlEvent) => {
    if (clients.size === 0) return
    const text = JSON.stringify(event)
    for (const client of clients) {
      if (client.readyState !== WebSocket.OPEN) continue
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
        options.logger.warn('a UI fell too far behind the live traffic; disconnecting it')
        client.close(1013, 'too far behind: reconnect and reload')
        continue
      }
      client.send(text)
    }
  }

  const checkStatus = () => {
    const status = source.status()
    const described = describeStatus(status)
    if (described === lastStatus) return
    lastStatus = described
    broadcast({ type: 'status.changed', status })
  }

  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    lastFlushAt = performance.now()

    const exchanges = [...pending.values()].map(source.present)
    const buckets = [...touched]
    pending = new Map()
    touched.clear()

    if (exchanges.length > 0) broadcast({ type: 'traffic.recorded', exchanges })
    if (buckets.length > 0) {
      const budgets = source.budgets(buckets)
      if (budgets.length > 0) broadcast({ type: 'budget.changed', budgets })
    }
    checkStatus()
  }

  // The first rows after a quiet spell leave at once; later ones wait out the interval.
  const schedule = () => {
    if (timer) return
    const wait = Math.max(0, lastFlushAt + intervalMs - performance.now())
    timer = setTimeout(flush, wait)
  }

  const unsubscribe = source.onRecorded((summaries) => {
    if (clients.size === 0) return
    for (const summary of summaries) {
      pending.set(summary.id, summary)
      if (summary.rateLimit) touched.add(summary.rateLimit.bucket)
    }
    if (pending.size >= maxBatch) flush()
    else schedule()
  })

  // The log's health can change without new rows (a disk that fills up, then frees).
  const statusTimer = setInterval(() => {
    if (clients.size > 0) checkStatus()
  }, options.statusIntervalMs ?? 1000)
  statusTimer.unref()

  return {
    add(socket) {
      clients.add(socket)
      socket.on('close', () => clients.delete(socket))
      socket.on('error', (error) => options.logger.debug(`event socket: ${error.message}`))
      // The UI only listens; anything it sends is ignored.
      socket.on('message', () => {})
    },

    publish(event) {
      if (event.type === 'traffic.cleared') {
        pending = new Map()
        touched.clear()
      }
      broadcast(event)
    },

    close() {
      unsubscribe()
      if (timer) clearTimeout(timer)
      clearInterval(statusTimer)
      for (const client of clients) client.close(1001, 'Tollgate is stopping')
      clients.clear()
    },
  }
}

/** The parts of the status worth a message; the pending count changes too often to count. */
function describeStatus(status: StatusInfo): string {
  const { proxyUrl, upstream, sampleUpstream, db, logging } = status
  const { writable, lastError, dropped } = logging
  return JSON.stringify({ proxyUrl, upstream, sampleUpstream, db, writable, lastError, dropped })
}
