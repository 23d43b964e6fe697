import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** One request of a rate-limit scenario and what its client must see. */
export interface RateLimitEvent {
  t_ms: number
  key: string | null
  method: string
  clientIp?: string
  headers?: Record<string, string>
  upstreamStatus?: number
  expect: {
    status: number
    remaining: number | null
    resetUnix: number | null
    retryAfter?: number
  }
}

export interface RateLimitScenario {
  id: string
  description: string
  config: { limit: number; windowMs: number }
  events: RateLimitEvent[]
}

export interface RateLimitFixture {
  meta: { epochMs: number; conventions: { '429 body': unknown } }
  scenarios: RateLimitScenario[]
}

/** The shared rate-limit test vectors, read from the fixtures folder beside the checkout. */
export function loadRateLimitVectors(): RateLimitFixture {
  const file = resolve(__dirname, '../../../shared/fixtures/ratelimit-vectors.json')
  return JSON.parse(readFileSync(file, 'utf8')) as RateLimitFixture
}
