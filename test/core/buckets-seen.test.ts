import { describe, expect, it } from 'vitest'
import { BUDGET_SHOWN_IDLE_MS, BucketsSeen } from '../../electron/core/buckets-seen'
import { defaultConfig } from '../../shared/config'
import type { RateLimitDecision } from '../../shared/exchange'

const config = defaultConfig(':memory:').rateLimit
const allowed: RateLimitDecision = {
  bucket: 'key a',
  allowed: true,
  limit: 60,
  windowMs: 60_000,
  remaining: 59,
  resetAt: 60_000,
  enforced: true,
}

describe('BucketsSeen', () => {
  it('keeps an idle bucket listed well past its window, so its refill shows, then forgets it', () => {
    const seen = new BucketsSeen()
    seen.note('key a', 'sk_test_aaaaaaaaaaaa', 0, allowed)

    seen.prune(5 * config.windowMs, config)
    const afterWindows = seen.list().map(([bucket]) => bucket)
    seen.prune(BUDGET_SHOWN_IDLE_MS + 1, config)

    expect(afterWindows).toEqual(['key a'])
    expect(seen.list()).toEqual([])
  })
})
