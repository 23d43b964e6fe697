/**
 * One live, filtered list of exchanges, newest first: a page from traffic.list, then every
 * pushed exchange merged in by id. Plain TypeScript so it runs in tests without a browser.
 */

import type { ControlMethods, TrafficFilter } from '../../../shared/api'
import type { ExchangeSummary } from '../../../shared/exchange'

type ListCall = (
  params: ControlMethods['traffic.list'][0],
) => Promise<ControlMethods['traffic.list'][1]>

export interface FeedState {
  items: ExchangeSummary[]
  /** Set while older exchanges remain on the server. */
  nextCursor?: number
  loading: boolean
  error?: string
  paused: boolean
  /** Exchanges that arrived while paused, shown once resumed. */
  held: number
}

const PAGE = 200
/** Rows kept in memory; the oldest are dropped and can be paged in again. */
const CAP = 5000

export class TrafficFeed {
  private state: FeedState = { items: [], loading: false, paused: false, held: 0 }
  private listeners = new Set<() => void>()
  private filter: TrafficFilter = {}
  private loadCount = 0
  private reloading = false
  private arrivedWhileLoading: ExchangeSummary[] = []
  private heldExchanges: ExchangeSummary[] = []
  private refreshTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly list: ListCall) {}

  getState = () => this.state
  subscribe = (listener: () => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Replaces the filter and loads the newest page for it. */
  async load(filter: TrafficFilter): Promise<void> {
    this.filter = filter
    const load = ++this.loadCount
    this.arrivedWhileLoading = []
    this.reloading = true
    this.update({ loading: true, error: undefined })

    try {
      const page = await this.list({ filter, limit: PAGE })
      if (load !== this.loadCount) return
      this.reloading = false
      this.update({ items: page.items, nextCursor: page.nextCursor, loading: false })
      this.merge(this.arrivedWhileLoading)
    } catch (error) {
      if (load !== this.loadCount) return
      this.reloading = false
      this.update({ loading: false, error: (error as Error).message })
    }
  }

  /** Appends the next page of older exchanges. */
  async loadOlder(): Promise<void> {
    const { nextCursor, loading } = this.state
    if (nextCursor === undefined || loading) return
    const load = this.loadCount
    this.update({ loading: true })

    try {
      const page = await this.list({ filter: this.filter, before: nextCursor, limit: PAGE })
      if (load !== this.loadCount) return
      const known = new Set(this.state.items.map((item) => item.id))
      const older = page.items.filter((item) => !known.has(item.id))
      this.update({
        items: [...this.state.items, ...older],
        nextCursor: page.nextCursor,
        loading: false,
      })
    } catch (error) {
      if (load === this.loadCount) this.update({ loading: false, error: (error as Error).message })
    }
  }

  /**
   * Fetches the newest page again and takes in what it has not seen: what was recorded before
   * live events flowed. Unlike `load`, it leaves a page still on its way to be used.
   */
  async catchUp(): Promise<void> {
    const load = this.loadCount
    try {
      const page = await this.list({ filter: this.filter, limit: PAGE })
      if (load !== this.loadCount) return
      const known = new Set(this.state.items.map((item) => item.id))
      this.receive(page.items.filter((item) => !known.has(item.id)))
    } catch {
      // The next reconnect or filter change loads the list again.
    }
  }

  /** Takes exchanges the core pushed: new ones and updates of ones seen before. */
  receive(exchanges: ExchangeSummary[]) {
    if (this.state.paused) {
      this.heldExchanges.push(...exchanges)
      this.update({ held: new Set(this.heldExchanges.map((item) => item.id)).size })
      return
    }
    if (this.reloading) {
      this.arrivedWhileLoading.push(...exchanges)
      return
    }
    this.merge(exchanges)
  }

  setPaused(paused: boolean) {
    this.update({ paused })
    if (paused) return
    const held = this.heldExchanges
    this.heldExchanges = []
    this.update({ held: 0 })
    this.merge(held)
  }

  /** The log was cleared on the core. */
  clear() {
    this.heldExchanges = []
    this.update({ items: [], nextCursor: undefined, held: 0 })
  }

  dispose() {
    clearTimeout(this.refreshTimer)
  }

  private merge(exchanges: ExchangeSummary[]) {
    if (exchanges.length === 0) return
    const byId = new Map(this.state.items.map((item) => [item.id, item]))
    const oldestLoaded = this.state.nextCursor
    let unsure = false

    for (const exchange of exchanges) {
      const verdict = matchesFilter(this.filter, exchange)
      if (verdict === 'unsure') unsure = true
      if (verdict === true) {
        // Rows older than the loaded page arrive with the next page instead.
        if (byId.has(exchange.id) || oldestLoaded === undefined || exchange.id > oldestLoaded) {
          byId.set(exchange.id, exchange)
        }
      } else if (verdict === false) {
        byId.delete(exchange.id)
      }
    }

    let items = [...byId.values()].sort((a, b) => b.id - a.id)
    let nextCursor = this.state.nextCursor
    if (items.length > CAP) {
      items = items.slice(0, CAP)
      nextCursor = items[items.length - 1]!.id
    }
    this.update({ items, nextCursor })

    // Bodies are searched on the server only: ask it about the newest page again.
    if (unsure) this.scheduleRefresh()
  }

  private scheduleRefresh() {
    clearTimeout(this.refreshTimer)
    this.refreshTimer = setTimeout(async () => {
      try {
        const page = await this.list({ filter: this.filter, limit: PAGE })
        const byId = new Map(this.state.items.map((item) => [item.id, item]))
        page.items.forEach((item) => byId.set(item.id, item))
        this.update({ items: [...byId.values()].sort((a, b) => b.id - a.id) })
      } catch {
        // The next event or filter change tries again.
      }
    }, 400)
  }

  private update(patch: Partial<FeedState>) {
    this.state = { ...this.state, ...patch }
    this.listeners.forEach((listener) => listener())
  }
}

/**
 * Whether an exchange passes the filter, judged from its summary. `unsure` when only the text
 * search could still match it, in a body the summary does not carry.
 */
export function matchesFilter(
  filter: TrafficFilter,
  exchange: ExchangeSummary,
): boolean | 'unsure' {
  if (filter.method && exchange.method.toUpperCase() !== filter.method.toUpperCase()) return false
  if (filter.status !== undefined && !matchesStatus(filter.status, exchange.status)) return false
  if (filter.keyHash && exchange.keyHash !== filter.keyHash) return false
  if (filter.origin && exchange.origin !== filter.origin) return false
  if (filter.outcome && (exchange.cors?.outcome ?? 'not-cors') !== filter.outcome) return false
  if (filter.kind && exchange.kind !== filter.kind) return false
  if (!filter.text) return true

  const needle = filter.text.toLowerCase()
  const headers = [...exchange.requestHeaders, ...(exchange.responseHeaders ?? [])]
  const inSummary =
    exchange.url.toLowerCase().includes(needle) ||
    headers.some(([name, value]) => `${name}: ${value}`.toLowerCase().includes(needle))
  return inSummary ? true : 'unsure'
}

function matchesStatus(wanted: NonNullable<TrafficFilter['status']>, status?: number) {
  if (status === undefined) return false
  if (typeof wanted === 'number') return status === wanted
  return `${Math.floor(status / 100)}xx` === wanted
}
