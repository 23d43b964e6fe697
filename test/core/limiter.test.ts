import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bucketFor, extractKey } from '../../electron/core/api-key'
import { SlidingWindowLimiter } from '../../electron/core/limiter'
import { rateLimitHeaders } from '../../electron/core/rate-limit-headers'

interface VectorEvent {
  t_ms: number
  key: string | null
  method: string
  clientIp?: string
  headers?: Record<string, string>
  expect: {
    status: number
    remaining: number | null
    resetUnix: number | null
    retryAfter?: number
  }
}

interface VectorFile {
  meta: { epochMs: number }
  scenarios: { id: string; config: { limit: number; windowMs: number }; events: VectorEvent[] }[]
}

const vectors: VectorFile = JSON.parse(
  readFileSync(resolve(__dirname, '../../../shared/fixtures/ratelimit-vectors.json'), 'utf8'),
)

const KEY_HEADERS = ['Authorization', 'X-API-Key']

function isPreflight(event: VectorEvent): boolean {
  const names = Object.keys(event.headers ?? {}).map((name) => name.toLowerCase())
  return (
    event.method === 'OPTIONS' &&
    names.includes('origin') &&
    names.includes('access-control-request-method')
  )
}

function bucketOf(event: VectorEvent): string {
  const rawHeaders = event.key === null ? [] : ['X-API-Key', event.key]
  return bucketFor(extractKey(rawHeaders, KEY_HEADERS), event.clientIp ?? '127.0.0.1')
}

function headerValue(headers: [string, string][], name: string): string | undefined {
  return headers.find(([candidate]) => candidate === name)?.[1]
}

describe('SlidingWindowLimiter against the rate-limit vectors', () => {
  it.each(vectors.scenarios.map((scenario) => [scenario.id, scenario] as const))(
    'follows %s',
    (_id, scenario) => {
      const limiter = new SlidingWindowLimiter()
      const seen = new Set<string>()
      const usedIn = (now: number) =>
        [...seen].map((bucket) => limiter.peek(bucket, now, scenario.config).used)

      for (const [index, event] of scenario.events.entries()) {
        const now = vectors.meta.epochMs + event.t_ms
        const where = `event ${index} at t=${event.t_ms}`

        if (isPreflight(event)) {
          const before = usedIn(now)

          expect(event.expect.remaining, where).toBeNull()
          expect(usedIn(now), where).toEqual(before)
          continue
        }

        const bucket = bucketOf(event)
        seen.add(bucket)
        const decision = limiter.consume(bucket, now, scenario.config)
        const headers = rateLimitHeaders(decision, { draftHeaders: false, now })

        expect(decision.allowed ? 'allowed' : 'refused', where).toBe(
          event.expect.status === 429 ? 'refused' : 'allowed',
        )
        expect(decision.remaining, where).toBe(event.expect.remaining)
        expect(headerValue(headers, 'X-RateLimit-Limit'), where).toBe(String(scenario.config.limit))
        expect(headerValue(headers, 'X-RateLimit-Remaining'), where).toBe(
          String(event.expect.remaining),
        )
        expect(headerValue(headers, 'X-RateLimit-Reset'), where).toBe(
          String(event.expect.resetUnix),
        )
        expect(headerValue(headers, 'Retry-After'), where).toBe(
          event.expect.retryAfter === undefined ? undefined : String(event.expect.retryAfter),
        )
      }
    },
  )
})

describe('SlidingWindowLimiter', () => {
  const policy = { limit: 3, windowMs: 10_000 }

  it('refuses at once when the limit is lowered below current use', () => {
    const limiter = new SlidingWindowLimiter()
    for (let second = 0; second < 30; second++) {
      limiter.consume('key a', second * 1000, { limit: 60, windowMs: 60_000 })
    }

    const decision = limiter.consume('key a', 30_000, { limit: 10, windowMs: 60_000 })

    expect(decision.allowed).toBe(false)
    expect(decision.remaining).toBe(0)
    // Remaining rises only once 21 of the 30 have left: the one accepted at 20 s.
    expect(decision.resetAt).toBe(20_000 + 60_000)
    expect(decision.retryAfterSeconds).toBe(50)
  })

  it('frees a live bucket at once when its window shrinks', () => {
    const limiter = new SlidingWindowLimiter()
    for (let index = 0; index < 3; index++) limiter.consume('key a', 0, policy)

    const refused = limiter.consume('key a', 5_000, policy)
    const allowed = limiter.consume('key a', 5_000, { limit: 3, windowMs: 5_000 })

    expect(refused.allowed).toBe(false)
    expect(allowed.allowed).toBe(true)
    expect(allowed.remaining).toBe(2)
  })

  it('does not record refused requests', () => {
    const limiter = new SlidingWindowLimiter()
    for (let index = 0; index < 3; index++) limiter.consume('key a', 0, policy)

    for (let t = 1; t < 10_000; t += 1000) limiter.consume('key a', t, policy)

    expect(limiter.peek('key a', 10_000, policy).used).toBe(0)
  })

  it('never refuses when not enforcing, and reports Remaining clamped at 0', () => {
    const limiter = new SlidingWindowLimiter()

    const decisions = Array.from({ length: 5 }, () => limiter.consume('key a', 0, policy, false))
    const enforced = limiter.consume('key a', 1, policy, true)

    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true])
    expect(decisions.map((decision) => decision.remaining)).toEqual([2, 1, 0, 0, 0])
    expect(decisions.every((decision) => !decision.enforced)).toBe(true)
    expect(decisions.every((decision) => decision.retryAfterSeconds === undefined)).toBe(true)
    expect(enforced.allowed).toBe(false)
    expect(limiter.peek('key a', 1, policy).used).toBe(5)
  })

  it('peeks at a fresh bucket without creating it', () => {
    const limiter = new SlidingWindowLimiter()

    const budget = limiter.peek('key a', 1_000, policy)

    expect(budget).toEqual({
      bucket: 'key a',
      limit: 3,
      windowMs: 10_000,
      used: 0,
      remaining: 3,
      resetAt: 11_000,
    })
    expect(limiter.size).toBe(0)
  })

  it('treats a clock that steps back as standing still for that bucket', () => {
    const limiter = new SlidingWindowLimiter()
    limiter.consume('key a', 5_000, policy)

    const decision = limiter.consume('key a', 1_000, policy)

    expect(decision.resetAt).toBe(15_000)
    expect(limiter.peek('key a', 14_999, policy).used).toBe(2)
    expect(limiter.peek('key a', 15_000, policy).used).toBe(0)
  })

  it('refuses everything under a limit of 0 without keeping a bucket', () => {
    const limiter = new SlidingWindowLimiter()

    const decision = limiter.consume('key a', 0, { limit: 0, windowMs: 10_000 })

    expect(decision.allowed).toBe(false)
    expect(decision.resetAt).toBe(10_000)
    expect(decision.retryAfterSeconds).toBe(10)
    expect(limiter.size).toBe(0)
  })

  it('evicts 100 000 one-off buckets once their window has passed', () => {
    const limiter = new SlidingWindowLimiter()
    for (let index = 0; index < 100_000; index++) {
      limiter.consume(`key ${index}`, index % 1000, { limit: 60, windowMs: 60_000 })
    }

    const evictedEarly = limiter.sweep(60_000)
    const sizeEarly = limiter.size
    const evictedLate = limiter.sweep(61_000)

    expect(evictedEarly).toBe(100)
    expect(sizeEarly).toBe(99_900)
    expect(evictedLate).toBe(99_900)
    expect(limiter.size).toBe(0)
  })

  it('sweeps with the window a caller supplies per bucket', () => {
    const limiter = new SlidingWindowLimiter()
    limiter.consume('key short', 0, policy)
    limiter.consume('key long', 0, policy)

    limiter.sweep(10_000, (bucket) => (bucket === 'key long' ? 60_000 : 10_000))

    expect(limiter.size).toBe(1)
    expect(limiter.peek('key long', 10_000, { limit: 3, windowMs: 60_000 }).used).toBe(1)
  })

  it('forgets every bucket on clear', () => {
    const limiter = new SlidingWindowLimiter()
    limiter.consume('key a', 0, policy)
    limiter.consume('key b', 0, policy)

    limiter.clear()

    expect(limiter.size).toBe(0)
    expect(limiter.consume('key a', 1, policy).remaining).toBe(2)
  })

  it('agrees with a naive log over a long random run', () => {
    const limiter = new SlidingWindowLimiter()
    const naive = new Map<string, number[]>()
    let seed = 42
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32
    let now = 0

    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(random() * 400)
      const bucket = `key ${Math.floor(random() * 3)}`
      const limit = 1 + Math.floor(random() * 40)
      const windowMs = 5_000 + Math.floor(random() * 3) * 1000
      const enforce = random() > 0.1

      const decision = limiter.consume(bucket, now, { limit, windowMs }, enforce)

      const counted = (naive.get(bucket) ?? []).filter((t0) => now - windowMs < t0 && t0 <= now)
      const allowed = !enforce || counted.length < limit
      if (allowed) counted.push(now)
      naive.set(bucket, counted)
      const used = counted.length
      const resetIndex = Math.min(used - 1, Math.max(0, used - limit))
      expect(decision.allowed, `step ${step}`).toBe(allowed)
      expect(decision.remaining, `step ${step}`).toBe(Math.max(0, limit - used))
      expect(decision.resetAt, `step ${step}`).toBe((counted[resetIndex] ?? now) + windowMs)
    }
  })
})
