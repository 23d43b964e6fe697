import { describe, expect, it } from 'vitest'
import { readPrediction, runWhatIf, type RecordedRequest } from '../../../electron/core/replay'
import type { HeaderList } from '../../../shared/exchange'
import { makeConfig } from './what-if-fixtures'
import {
  loadRateLimitVectors,
  type RateLimitEvent as VectorEvent,
} from '../../support/ratelimit-vectors'

const fixture = loadRateLimitVectors()

/** A vector event as a request the log would hold: its headers, client and upstream status. */
function toRecorded(event: VectorEvent, index: number): RecordedRequest {
  const headers: HeaderList = [['Host', 'localhost:8787']]
  if (event.key !== null) headers.push(['X-API-Key', event.key])
  for (const [name, value] of Object.entries(event.headers ?? {})) headers.push([name, value])
  return {
    id: index + 1,
    method: event.method,
    url: '/vectors',
    requestHeaders: headers,
    clientAddress: event.clientIp ?? '127.0.0.1',
    startedAt: fixture.meta.epochMs + event.t_ms,
    status: event.upstreamStatus ?? 200,
  }
}

/** What a client would have seen, in the fixture's terms. */
function observe(run: Awaited<ReturnType<typeof runWhatIf>>, index: number, event: VectorEvent) {
  const prediction = readPrediction(run, index)
  const seen: VectorEvent['expect'] = {
    status: prediction.status ?? -1,
    remaining: prediction.remaining ?? null,
    resetUnix: prediction.resetAt === undefined ? null : Math.ceil(prediction.resetAt / 1000),
  }
  if (prediction.status === 429) {
    const now = fixture.meta.epochMs + event.t_ms
    seen.retryAfter = Math.max(1, Math.ceil((prediction.resetAt! - now) / 1000))
  }
  return seen
}

describe('runWhatIf on the rate-limit vectors as recorded traffic', () => {
  it.each(fixture.scenarios.map((scenario) => [scenario.id, scenario] as const))(
    'predicts the statuses and budgets of %s',
    async (_id, scenario) => {
      const config = makeConfig(scenario.config, {
        allowedOrigins: ['https://app.example.com'],
      })

      const run = await runWhatIf(scenario.events.map(toRecorded), config)

      const seen = scenario.events.map((event, index) => observe(run, index, event))
      expect(seen).toEqual(scenario.events.map((event) => event.expect))
    },
  )
})
