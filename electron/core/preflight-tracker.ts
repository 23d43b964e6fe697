/**
 * Pairs actual requests with the preflights before them, and remembers passing preflights the
 * way a browser's preflight cache would. Memory stays bounded: entries expire with their window,
 * and past a size cap the least recently used origin and URL go first.
 */

import { isSafelistedMethod } from './cors-safelist'

/** One preflight as the proxy answered it. Times are epoch milliseconds. */
export interface PreflightRecord {
  /** The preflight's exchange id in the traffic log. */
  id: number
  origin: string
  /** Path and query, as the client sent them. */
  url: string
  time: number
  passed: boolean
  /** The `Access-Control-Max-Age` sent; undefined when none was. */
  maxAgeSeconds?: number
  /** The method it asked for (`Access-Control-Request-Method`). */
  method: string
  /** The headers it asked for (`Access-Control-Request-Headers`). */
  headers: string[]
}

/** An actual request looking for its preflight. */
export interface ActualRequestKey {
  origin: string
  url: string
  method: string
  time: number
  /**
   * Its headers that need a preflight, in lower case. A cached approval serves the request only
   * when it approved every one of them; without this list, the method alone decides.
   */
  headers?: readonly string[]
}

/** How an actual request's preflight was found. */
export type PreflightMatch =
  | { source: 'logged'; exchangeId: number; passed: boolean }
  | { source: 'browser-cache'; exchangeId: number; passed: true }
  | { source: 'missing' }

export interface PreflightTrackerOptions {
  /** How long an actual request may follow its preflight and still be paired with it. */
  pairingWindowMs?: number
  /** The most preflights kept at once. */
  maxEntries?: number
}

/** Seconds browsers cache a passing preflight that sent no Max-Age. */
export const DEFAULT_PREFLIGHT_CACHE_SECONDS = 5

/** Chromium caches a preflight for at most this long, whatever Max-Age says. */
export const MAX_PREFLIGHT_CACHE_SECONDS = 7200

// A page hammering one URL must not grow a single key without limit.
const MAX_ENTRIES_PER_KEY = 64
const SWEEP_EVERY = 256

interface Entry extends PreflightRecord {
  paired: boolean
  expiresAt: number
}

/** How long a browser keeps a passing preflight with this Max-Age, in seconds. */
export function preflightCacheSeconds(maxAgeSeconds: number | undefined): number {
  if (maxAgeSeconds === undefined || !Number.isFinite(maxAgeSeconds)) {
    return DEFAULT_PREFLIGHT_CACHE_SECONDS
  }
  return Math.min(Math.max(0, Math.floor(maxAgeSeconds)), MAX_PREFLIGHT_CACHE_SECONDS)
}

/** Pairing state for one proxy: feed it every preflight, ask it about every actual request. */
export class PreflightTracker {
  private readonly entries = new Map<string, Entry[]>()
  private readonly pairingWindowMs: number
  private readonly maxEntries: number
  private entryCount = 0
  private recordsSinceSweep = 0

  constructor(options: PreflightTrackerOptions = {}) {
    this.pairingWindowMs = options.pairingWindowMs ?? 60_000
    this.maxEntries = options.maxEntries ?? 10_000
  }

  /** Preflights currently remembered. */
  get size(): number {
    return this.entryCount
  }

  /** Remembers a preflight, answered or refused. */
  recordPreflight(record: PreflightRecord): void {
    const key = keyOf(record.origin, record.url)
    const cacheMs = record.passed ? preflightCacheSeconds(record.maxAgeSeconds) * 1000 : 0
    const entry: Entry = {
      ...record,
      headers: record.headers.map((name) => name.toLowerCase()),
      paired: false,
      expiresAt: record.time + Math.max(this.pairingWindowMs, cacheMs),
    }

    // Re-inserting the key keeps the map in least-recently-used order for eviction.
    const list = [...this.prune(key, record.time), entry]
    const kept = list.slice(-MAX_ENTRIES_PER_KEY)
    this.entries.delete(key)
    this.entries.set(key, kept)
    this.entryCount += kept.length - (list.length - 1)

    this.recordsSinceSweep += 1
    if (this.recordsSinceSweep >= SWEEP_EVERY) this.sweep(record.time)
    this.evictOverflow()
  }

  /**
   * Finds the preflight for an actual request from the same origin and URL: the oldest unpaired
   * one for the same method that passed (`logged`), else a passing one still inside its cache
   * lifetime (`browser-cache`), else the latest unpaired refused one (`logged`), else `missing`.
   */
  matchActual(actual: ActualRequestKey): PreflightMatch {
    // Clients that skip preflights (scripts, load tests) never leave one to look through.
    if (this.entries.size === 0) return { source: 'missing' }
    const key = keyOf(actual.origin, actual.url)
    const list = this.prune(key, actual.time)

    const unpaired = (entry: Entry) =>
      !entry.paired &&
      entry.method === actual.method &&
      entry.time <= actual.time &&
      actual.time - entry.time < this.pairingWindowMs
    // A browser goes on only after a preflight that passed, or on one it still caches, so those
    // come first; a refused one pairs only with a client that went on regardless, the latest.
    const fresh = list.find((entry) => entry.passed && unpaired(entry))
    if (fresh) {
      fresh.paired = true
      return { source: 'logged', exchangeId: fresh.id, passed: true }
    }

    const cached = list.findLast(
      (entry) =>
        entry.passed &&
        entry.time <= actual.time &&
        actual.time < entry.time + preflightCacheSeconds(entry.maxAgeSeconds) * 1000 &&
        (entry.method === actual.method || isSafelistedMethod(actual.method)) &&
        (actual.headers ?? []).every((name) => entry.headers.includes(name)),
    )
    if (cached) return { source: 'browser-cache', exchangeId: cached.id, passed: true }

    const refused = list.findLast((entry) => !entry.passed && unpaired(entry))
    if (refused) {
      refused.paired = true
      return { source: 'logged', exchangeId: refused.id, passed: false }
    }
    return { source: 'missing' }
  }

  private prune(key: string, now: number): Entry[] {
    const list = this.entries.get(key)
    if (list === undefined) return []
    const live = list.filter((entry) => entry.expiresAt > now)
    this.entryCount -= list.length - live.length

    if (live.length === 0) this.entries.delete(key)
    else if (live.length !== list.length) this.entries.set(key, live)
    return live
  }

  private sweep(now: number): void {
    this.recordsSinceSweep = 0
    for (const key of [...this.entries.keys()]) this.prune(key, now)
  }

  private evictOverflow(): void {
    for (const [key, list] of this.entries) {
      if (this.entryCount <= this.maxEntries) break
      this.entries.delete(key)
      this.entryCount -= list.length
    }
  }
}

function keyOf(origin: string, url: string): string {
  return `${origin} ${url}`
}
