import { describe, expect, it } from 'vitest'
import {
  RATE_LIMITED_BODY,
  parseUpstreamRateLimit,
  rateLimitHeaderNames,
  rateLimitHeaders,
} from '../../electron/core/rate-limit-headers'
import type { RateLimitDecision } from '../../shared/exchange'

const NOW = 1_767_225_600_000

const allowed: RateLimitDecision = {
  bucket: 'key 0123456789abcdef',
  allowed: true,
  limit: 60,
  windowMs: 60_000,
  remaining: 12,
  resetAt: NOW + 30_500,
  enforced: true,
}

const refused: RateLimitDecision = {
  ...allowed,
  allowed: false,
  remaining: 0,
  retryAfterSeconds: 31,
}

describe('rateLimitHeaders', () => {
  it('sends limit, remaining and the reset second rounded up', () => {
    const headers = rateLimitHeaders(allowed, { draftHeaders: false, now: NOW })

    expect(headers).toEqual([
      ['X-RateLimit-Limit', '60'],
      ['X-RateLimit-Remaining', '12'],
      ['X-RateLimit-Reset', '1767225631'],
    ])
  })

  it('adds Retry-After on a refused request only', () => {
    const headers = rateLimitHeaders(refused, { draftHeaders: false, now: NOW })

    expect(headers).toContainEqual(['Retry-After', '31'])
    expect(headers).toContainEqual(['X-RateLimit-Remaining', '0'])
  })

  it('adds the draft fields when asked, counting seconds from now', () => {
    const headers = rateLimitHeaders(allowed, { draftHeaders: true, now: NOW })

    expect(headers).toContainEqual(['RateLimit-Policy', '"default";q=60;w=60'])
    expect(headers).toContainEqual(['RateLimit', '"default";r=12;t=31'])
    expect(headers.map(([name]) => name)).toEqual(
      rateLimitHeaderNames(true).filter((name) => name !== 'Retry-After'),
    )
  })

  it('never sends a negative delay in the draft field', () => {
    const headers = rateLimitHeaders(allowed, { draftHeaders: true, now: NOW + 40_000 })

    expect(headers).toContainEqual(['RateLimit', '"default";r=12;t=0'])
  })
})

describe('RATE_LIMITED_BODY', () => {
  it('is the compact JSON a rate-limited client receives', () => {
    const body = JSON.parse(RATE_LIMITED_BODY)

    expect(body).toEqual({
      error: 'rate_limited',
      message: 'Rate limit exceeded. Please retry after the window resets.',
    })
    expect(RATE_LIMITED_BODY).not.toMatch(/\s{2}|\n/)
  })
})

describe('parseUpstreamRateLimit', () => {
  it('reads X-RateLimit-* with Reset in Unix seconds', () => {
    const headers: [string, string][] = [
      ['x-ratelimit-limit', '5000'],
      ['X-RateLimit-Remaining', '4999'],
      ['X-RateLimit-Reset', '1767229200'],
    ]

    expect(parseUpstreamRateLimit(headers, NOW)).toEqual({
      source: 'x-ratelimit',
      limit: 5000,
      remaining: 4999,
      resetAt: 1_767_229_200_000,
    })
  })

  it('reads a small X-RateLimit-Reset as seconds from now', () => {
    const observed = parseUpstreamRateLimit([['X-RateLimit-Reset', '42']], NOW)

    expect(observed).toEqual({ source: 'x-ratelimit', resetAt: NOW + 42_000 })
  })

  it('reads an X-RateLimit-Reset given as an HTTP date', () => {
    const observed = parseUpstreamRateLimit(
      [['X-RateLimit-Reset', 'Thu, 01 Jan 2026 01:00:00 GMT']],
      NOW,
    )

    expect(observed?.resetAt).toBe(NOW + 3_600_000)
  })

  it('reads the IETF draft fields', () => {
    const headers: [string, string][] = [
      ['RateLimit-Policy', '"burst";q=100;w=60, "daily";q=1000;w=86400'],
      ['RateLimit', '"burst";r=40;t=12'],
    ]

    expect(parseUpstreamRateLimit(headers, NOW)).toEqual({
      source: 'ietf-draft',
      limit: 100,
      remaining: 40,
      resetAt: NOW + 12_000,
    })
  })

  it('reads the older separate RateLimit-* fields', () => {
    const headers: [string, string][] = [
      ['RateLimit-Policy', '10;w=60'],
      ['RateLimit-Remaining', '3'],
      ['RateLimit-Reset', '7'],
    ]

    expect(parseUpstreamRateLimit(headers, NOW)).toEqual({
      source: 'ietf-draft',
      limit: 10,
      remaining: 3,
      resetAt: NOW + 7_000,
    })
  })

  it('prefers X-RateLimit-* when both kinds are present', () => {
    const headers: [string, string][] = [
      ['RateLimit', '"default";r=1;t=1'],
      ['X-RateLimit-Remaining', '9'],
    ]

    expect(parseUpstreamRateLimit(headers, NOW)).toEqual({ source: 'x-ratelimit', remaining: 9 })
  })

  it('returns nothing for absent or unreadable figures', () => {
    const headers: [string, string][] = [
      ['Content-Type', 'application/json'],
      ['X-RateLimit-Remaining', 'plenty'],
      ['RateLimit', '"default";r=;t=soon'],
    ]

    expect(parseUpstreamRateLimit(headers, NOW)).toBeUndefined()
  })
})
