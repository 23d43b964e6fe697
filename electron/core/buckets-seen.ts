import type { LimitOverride, RateLimitConfig } from '../../shared/config'
import type { RateLimitDecision } from '../../shared/exchange'
import { maskKey } from '../../shared/keys'
import { hashKey } from './api-key'

/** What the budget list shows about a bucket that the limiter, holding names only, cannot say. */
export interface BucketEntry {
  keyMasked?: string
  keyHash?: string
  lastSeenAt: number
  refusals: RefusalLog
}

/** How long an idle bucket stays in the budget list, so its refill can be seen. */
export const BUDGET_SHOWN_IDLE_MS = 10 * 60_000

/** Buckets held at most; past it the one seen longest ago is forgotten. */
const MAX_BUCKETS_SEEN = 10_000

/** The buckets requests were charged to, kept while they still matter to the budget list. */
export class BucketsSeen {
  private readonly buckets = new Map<string, BucketEntry>()
  /** The bucket last noted, the map's last entry unless it has been deleted since. */
  private newest?: string
  /** The per-key overrides by key hash, rebuilt whenever the config's overrides change. */
  private overridesFor?: RateLimitConfig['perKey']
  private overridesByHash = new Map<string, LimitOverride>()

  note(bucket: string, key: string | undefined, now: number, decision: RateLimitDecision): void {
    let entry = this.buckets.get(bucket)
    if (entry === undefined) {
      if (this.buckets.size >= MAX_BUCKETS_SEEN) this.forgetOldest()
      entry = {
        keyMasked: key === undefined ? undefined : maskKey(key),
        keyHash: key === undefined ? undefined : hashKey(key),
        lastSeenAt: now,
        refusals: new RefusalLog(),
      }
      this.buckets.set(bucket, entry)
    } else if (bucket !== this.newest) {
      // Re-inserting keeps the map ordered by last activity, oldest first. The newest bucket is
      // already last, and a busy key is noted many times in a row.
      this.buckets.delete(bucket)
      this.buckets.set(bucket, entry)
    }
    this.newest = bucket
    entry.lastSeenAt = Math.max(entry.lastSeenAt, now)
    if (!decision.allowed) entry.refusals.add(now, decision.windowMs)
  }

  list(buckets = [...this.buckets.keys()]): [string, BucketEntry][] {
    return buckets.flatMap((bucket) => {
      const entry = this.buckets.get(bucket)
      return entry === undefined ? [] : [[bucket, entry] as [string, BucketEntry]]
    })
  }

  /** The limit and window in force for a bucket; overrides are found by the key's hash. */
  policyOf(entry: BucketEntry, config: RateLimitConfig): { limit: number; windowMs: number } {
    if (this.overridesFor !== config.perKey) {
      this.overridesFor = config.perKey
      this.overridesByHash = new Map(
        Object.entries(config.perKey).map(([key, override]) => [hashKey(key), override]),
      )
    }
    const override =
      entry.keyHash === undefined ? undefined : this.overridesByHash.get(entry.keyHash)
    return {
      limit: override?.limit ?? config.limit,
      windowMs: override?.windowMs ?? config.windowMs,
    }
  }

  /**
   * Forgets buckets idle for longer than their window and `BUDGET_SHOWN_IDLE_MS`: by then nothing
   * of theirs counts, and the budget list has shown them back at full budget for a while.
   */
  prune(now: number, config: RateLimitConfig): void {
    for (const [bucket, entry] of this.buckets) {
      const keep = Math.max(this.policyOf(entry, config).windowMs, BUDGET_SHOWN_IDLE_MS)
      if (now - entry.lastSeenAt > keep) this.buckets.delete(bucket)
    }
  }

  private forgetOldest(): void {
    const oldest = this.buckets.keys().next()
    if (!oldest.done) this.buckets.delete(oldest.value)
  }
}

/** Refusals close together share one slot, so a client hammering a spent key costs little. */
const REFUSAL_SLOT_MS = 100

/**
 * When a bucket's requests were refused, counted per slot of 100 ms. A slot leaves the window
 * with its first refusal, so a count can drop up to one slot early.
 */
class RefusalLog {
  private readonly starts: number[] = []
  private readonly counts: number[] = []

  add(now: number, windowMs: number): void {
    this.dropBefore(now - windowMs)
    const last = this.starts.length - 1
    if (last >= 0 && now - this.starts[last]! < REFUSAL_SLOT_MS) {
      this.counts[last] = this.counts[last]! + 1
      return
    }
    this.starts.push(now)
    this.counts.push(1)
  }

  /** Refusals inside the window ending at `now`; older slots are dropped. */
  count(now: number, windowMs: number): number {
    this.dropBefore(now - windowMs)
    return this.counts.reduce((sum, count) => sum + count, 0)
  }

  /** Drops the slots that started at or before `cutoff`; the log stays one window long. */
  private dropBefore(cutoff: number): void {
    let expired = 0
    while (expired < this.starts.length && this.starts[expired]! <= cutoff) expired++
    this.starts.splice(0, expired)
    this.counts.splice(0, expired)
  }
}
