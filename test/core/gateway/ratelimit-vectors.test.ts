import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createManualClock } from '../../../electron/core/clock'
import {
  rawValues,
  startServer,
  startTollgate,
  type RawResponse,
  type TestServer,
} from '../../support/servers'
import {
  loadRateLimitVectors,
  type RateLimitEvent,
  type RateLimitScenario as Scenario,
} from '../../support/ratelimit-vectors'

const fixture = loadRateLimitVectors()
const { epochMs } = fixture.meta
const RATE_LIMITED_BODY = JSON.stringify(fixture.meta.conventions['429 body'])

// The mock upstream answers with whatever status this request header names.
const STATUS_HEADER = 'X-Test-Upstream-Status'

const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** An upstream that counts what reaches it and answers with the status the test asks for. */
async function startCountingUpstream(): Promise<{ server: TestServer; hits: () => number }> {
  let hits = 0
  const server = await startServer((req, res) => {
    hits++
    const asked = Number(req.headers[STATUS_HEADER.toLowerCase()] ?? 200)
    res.writeHead(asked, { 'Content-Type': 'text/plain' })
    res.end('from upstream')
  })
  return { server, hits: () => hits }
}

/** Sends one request from the loopback address `localAddress`, so Tollgate sees that client. */
function sendFrom(
  baseUrl: string,
  localAddress: string,
  method: string,
  headers: string[],
): Promise<RawResponse> {
  const url = new URL('/vectors', baseUrl)
  return new Promise((resolvePromise, reject) => {
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress,
        headers: ['Host', url.host, ...headers] as unknown as http.OutgoingHttpHeaders,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end()
  })
}

function headerLinesFor(event: RateLimitEvent): string[] {
  const lines: string[] = []
  if (event.key !== null) lines.push('X-API-Key', event.key)
  for (const [name, value] of Object.entries(event.headers ?? {})) lines.push(name, value)
  if (event.upstreamStatus !== undefined) lines.push(STATUS_HEADER, String(event.upstreamStatus))
  return lines
}

/** Origins the scenario's preflights come from; they must be allowed to get their 204. */
function originsOf(scenario: Scenario): string[] {
  const origins = scenario.events.flatMap((event) => event.headers?.Origin ?? [])
  return [...new Set(origins)]
}

function expectEvent(
  response: RawResponse,
  event: RateLimitEvent,
  scenario: Scenario,
  label: string,
): void {
  const { expect: expected } = event
  const header = (name: string) => rawValues(response.rawHeaders, name)

  expect(response.status, `${label} status`).toBe(expected.status)

  if (expected.remaining === null) {
    for (const name of [...RATE_LIMIT_HEADERS, 'Retry-After']) {
      expect(header(name), `${label} ${name} absent`).toEqual([])
    }
  } else {
    expect(header('X-RateLimit-Limit'), `${label} limit`).toEqual([String(scenario.config.limit)])
    expect(header('X-RateLimit-Remaining'), `${label} remaining`).toEqual([
      String(expected.remaining),
    ])
    expect(header('X-RateLimit-Reset'), `${label} reset`).toEqual([String(expected.resetUnix)])
  }

  if (expected.status === 429) {
    expect(header('Retry-After'), `${label} Retry-After`).toEqual([String(expected.retryAfter)])
    expect(header('Content-Type'), `${label} Content-Type`).toEqual(['application/json'])
    expect(response.body.toString('utf8'), `${label} body`).toBe(RATE_LIMITED_BODY)
  } else {
    expect(header('Retry-After'), `${label} Retry-After absent`).toEqual([])
  }
}

describe('rate-limit vectors over real sockets', () => {
  for (const scenario of fixture.scenarios) {
    it(`${scenario.id}: ${scenario.description}`, async () => {
      const clock = createManualClock(epochMs)
      const upstream = await startCountingUpstream()
      cleanups.push(upstream.server.close)
      const tollgate = await startTollgate({
        upstream: upstream.server.url,
        clock,
        rateLimit: { limit: scenario.config.limit, windowMs: scenario.config.windowMs },
        cors: { allowedOrigins: originsOf(scenario) },
      })
      cleanups.push(tollgate.stop)

      const responses: RawResponse[] = []
      for (const event of scenario.events) {
        clock.set(epochMs + event.t_ms)
        const from = event.clientIp ?? '127.0.0.1'
        responses.push(await sendFrom(tollgate.url, from, event.method, headerLinesFor(event)))
      }

      scenario.events.forEach((event, index) => {
        const label = `event ${index} (t=${event.t_ms}, ${event.method}, key ${event.key})`
        expectEvent(responses[index]!, event, scenario, label)
      })
      // Only requests that were let through reach the upstream: no 429, no preflight.
      const forwarded = scenario.events.filter(
        (event) => event.expect.status !== 429 && event.expect.remaining !== null,
      )
      expect(upstream.hits()).toBe(forwarded.length)
    })
  }
})
