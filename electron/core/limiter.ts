/**
 * The per-key sliding-window log: an exact record of when each accepted request happened, kept
 * only as long as it still counts. Deciding and recording are one synchronous call, so two
 * requests in the same millisecond are settled in arrival order.
 */

import type { RateLimitDecision } from '../../shared/exchange'

/** The budget one bucket is held to; passed on every call so config changes apply at once. */
export interface RateLimitPolicy {
  limit: number
  windowMs: number
}

/** A bucket's state without charging a request to it, for the UI. */
export interface RateLimitBudget {
  bucket: string
  limit: number
  windowMs: number
  /** Accepted requests still inside the window. */
  used: number
  /** `limit - used`, never below 0. */
  remaining: number
  /** Epoch ms when Remaining next rises; `now + windowMs` for an empty bucket. */
  resetAt: number
}

/** Past this many dead slots at the front of a log, the log is compacted. */
const COMPACT_AFTER = 32

/** One bucket's accepted timestamps, oldest first; entries before `head` have expired. */
class WindowLog {
  times: number[]
  head = 0
  /** The window last applied, so a sweep without a policy still knows what expires. */
  windowMs: number

  constructor(first: number, windowMs: number) {
    // A one-element literal allocates exactly one slot; most buckets never grow past a few.
    this.times = [first]
    this.windowMs = windowMs
  }

  get newest(): number {
    return this.times[this.times.length - 1] ?? -Infinity
  }

  /** Drops what no longer counts at `now` and returns how many entries still do. */
  prune(now: number, windowMs: number): number {
    const times = this.times
    const cutoff = now - windowMs
    let head = this.head
    while (head < times.length && (times[head] as number) <= cutoff) head++

    if (head === times.length) {
      times.length = 0
      head = 0
    } else if (head >= COMPACT_AFTER && head * 2 >= times.length) {
      // Amortised O(1): each entry is moved at most once per time the live part halves.
      times.copyWithin(0, head)
      times.length -= head
      head = 0
    }

    this.head = head
    this.windowMs = windowMs
    return times.length - head
  }

  /**
   * When Remaining next rises, given `count` live entries: once the entry at index
   * `count - limit` has left (index 0 while under the limit). Clamped to the newest entry so a
   * limit of 0 still yields a time.
   */
  resetAt(count: number, limit: number, windowMs: number): number {
    const index = Math.min(count - 1, Math.max(0, count - limit))
    return (this.times[this.head + index] as number) + windowMs
  }
}

/**
 * An exact sliding-window log per bucket. A request accepted at `t0` counts at `t` iff
 * `t - windowMs < t0 <= t`; refused requests are never recorded.
 *
 * Time must not run backwards for a bucket: a `now` earlier than the bucket's newest entry is
 * treated as that entry's time, which keeps every log sorted. A window that grows cannot bring
 * back entries already dropped under the shorter one.
 */
export class SlidingWindowLimiter {
  private readonly logs = new Map<string, WindowLog>()

  /** Number of buckets held; empty ones disappear on `sweep`. */
  get size(): number {
    return this.logs.size
  }

  /**
   * Decides one request and, if it goes through, records it. With `enforce` false the request
   * is always let through and recorded, and Remaining is reported clamped at 0.
   */
  consume(bucket: string, now: number, policy: RateLimitPolicy, enforce = true): RateLimitDecision {
    const { limit, windowMs } = policy
    const log = this.logs.get(bucket)
    const at = log === undefined ? now : Math.max(now, log.newest)
    const count = log === undefined ? 0 : log.prune(at, windowMs)

    if (enforce && count >= limit) {
      if (log !== undefined && count === 0) this.logs.delete(bucket)
      const resetAt =
        log === undefined || count === 0 ? at + windowMs : log.resetAt(count, limit, windowMs)
      return {
        bucket,
        allowed: false,
        limit,
        windowMs,
        remaining: 0,
        resetAt,
        retryAfterSeconds: Math.max(1, Math.ceil((resetAt - at) / 1000)),
        enforced: enforce,
      }
    }

    let recorded = log
    if (recorded === undefined) {
      recorded = new WindowLog(at, windowMs)
      this.logs.set(bucket, recorded)
    } else {
      recorded.times.push(at)
    }

    const used = count + 1
    return {
      bucket,
      allowed: true,
      limit,
      windowMs,
      remaining: Math.max(0, limit - used),
      resetAt: recorded.resetAt(used, limit, windowMs),
      enforced: enforce,
    }
  }

  /** The budget a bucket has at `now`, without charging anything or creating the bucket. */
  peek(bucket: string, now: number, policy: RateLimitPolicy): RateLimitBudget {
    const { limit, windowMs } = policy
    const log = this.logs.get(bucket)
    const at = log === undefined ? now : Math.max(now, log.newest)
    const used = log === undefined ? 0 : log.prune(at, windowMs)

    return {
      bucket,
      limit,
      windowMs,
      used,
      remaining: Math.max(0, limit - used),
      resetAt: log === undefined || used === 0 ? at + windowMs : log.resetAt(used, limit, windowMs),
    }
  }

  /**
   * Evicts every bucket with nothing left in its window at `now`, so memory follows the active
   * keys. `windowFor` gives a bucket's current window; by default the one its last call used.
   * Returns how many buckets were evicted. O(buckets): call it on a timer, not per request.
   */
  sweep(now: number, windowFor?: (bucket: string) => number): number {
    let evicted = 0
    for (const [bucket, log] of this.logs) {
      const windowMs = windowFor === undefined ? log.windowMs : windowFor(bucket)
      if (log.prune(Math.max(now, log.newest), windowMs) > 0) continue

      // Deleting the current entry while iterating a Map is well defined.
      this.logs.delete(bucket)
      evicted++
    }
    return evicted
  }

  /** Forgets every bucket. */
  clear(): void {
    this.logs.clear()
  }
}
