import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import http from 'node:http'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { createManualClock, createMonotonicClock, type Clock } from '../../../electron/core/clock'
import { SlidingWindowLimiter } from '../../../electron/core/limiter'
import type { TollgateConfigInput } from '../../../shared/config'
import {
  rawValues,
  send,
  startServer,
  startTollgate,
  type RawResponse,
} from '../../support/servers'

type Running = Awaited<ReturnType<typeof startTollgate>>

const APP = 'https://app.example.com'
const DEV = 'http://localhost:5173'
const START = Date.UTC(2026, 0, 1, 12)
const RATE_LIMITED_BODY =
  '{"error":"rate_limited","message":"Rate limit exceeded. Please retry after the window resets."}'
const LIBRARY = resolve(__dirname, '../../../out/main/lib.js')

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** An upstream running `handler` (by default a plain 200) and a Tollgate in front of it. */
async function setUp(
  options: TollgateConfigInput & { clock?: Clock },
  handler: http.RequestListener = (_req, res) => res.end('ok'),
): Promise<{ tollgate: Running; hits: () => number }> {
  let hits = 0
  const upstream = await startServer((req, res) => {
    hits++
    req.resume()
    handler(req, res)
  })
  cleanups.push(upstream.close)
  const tollgate = await startTollgate({ upstream: upstream.url, ...options })
  cleanups.push(tollgate.stop)
  return { tollgate, hits: () => hits }
}

const header = (response: RawResponse, name: string) => rawValues(response.rawHeaders, name)

/** A comma-separated header's items, lower-cased, over every line it came on. */
function tokens(response: RawResponse, name: string): string[] {
  return header(response, name)
    .flatMap((value) => value.split(','))
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '')
}

const remainingOf = (response: RawResponse) => header(response, 'X-RateLimit-Remaining')[0]

describe('gateway behaviour over real sockets', () => {
  it('pairs each preflight with the POST after it and never counts the preflights', async () => {
    const clock = createManualClock(START)
    const { tollgate } = await setUp({
      clock,
      rateLimit: { limit: 5, windowMs: 60_000 },
      cors: { allowedOrigins: [DEV] },
    })
    const preflight = {
      method: 'OPTIONS',
      path: '/orders',
      headers: [
        'Origin', DEV,
        'Access-Control-Request-Method', 'POST',
        'Access-Control-Request-Headers', 'content-type,x-api-key',
      ], // prettier-ignore
    }
    const post = {
      method: 'POST',
      path: '/orders',
      headers: ['Origin', DEV, 'Content-Type', 'application/json', 'X-API-Key', 'k-browser'],
      body: '{"item":1}',
    }

    const preflights: RawResponse[] = []
    const posts: RawResponse[] = []
    for (let i = 0; i < 5; i++) {
      clock.advance(100)
      preflights.push(await send(tollgate.url, preflight))
      clock.advance(20)
      posts.push(await send(tollgate.url, post))
    }
    clock.advance(100)
    const sixth = await send(tollgate.url, post)
    tollgate.store.flush()

    for (const response of preflights) {
      expect(response.status).toBe(204)
      for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) {
        expect(header(response, name), name).toEqual([])
      }
    }
    expect(posts.map((response) => response.status)).toEqual([200, 200, 200, 200, 200])
    expect(posts.map(remainingOf)).toEqual(['4', '3', '2', '1', '0'])
    expect(sixth.status).toBe(429)
    const rows = tollgate.store.list({ limit: 20 }).items.reverse()
    expect(rows.map((row) => row.kind)).toEqual([
      ...Array.from({ length: 5 }, () => ['preflight', 'http']).flat(),
      'http',
    ])
    for (let i = 0; i < 5; i++) {
      const [preflightRow, postRow] = [rows[2 * i]!, rows[2 * i + 1]!]
      expect(preflightRow.pairedId, `preflight ${i}`).toBe(postRow.id)
      expect(postRow.pairedId, `post ${i}`).toBe(preflightRow.id)
    }
  })

  it('keeps Remaining at 0 past the limit and applies a lowered limit to a live bucket', async () => {
    const { tollgate } = await setUp({
      clock: createManualClock(START),
      rateLimit: { limit: 60, windowMs: 60_000 },
    })
    const asKey = (key: string) => ({ headers: ['X-API-Key', key] })

    const first: RawResponse[] = []
    for (let i = 0; i < 65; i++) first.push(await send(tollgate.url, asKey('k1')))
    for (let i = 0; i < 30; i++) await send(tollgate.url, asKey('k2'))
    tollgate.updateConfig({ rateLimit: { limit: 10 } })
    const afterChange = await send(tollgate.url, asKey('k2'))

    const expectedRemaining = Array.from({ length: 65 }, (_, i) => String(Math.max(0, 59 - i)))
    expect(first.map(remainingOf)).toEqual(expectedRemaining)
    expect(first.map((response) => response.status)).toEqual([
      ...Array<number>(60).fill(200),
      ...Array<number>(5).fill(429),
    ])
    expect(afterChange.status).toBe(429)
    expect(remainingOf(afterChange)).toBe('0')
    expect(header(afterChange, 'X-RateLimit-Limit')).toEqual(['10'])
  })

  it('lets exactly one of 20 concurrent requests take the last free slot', async () => {
    const { tollgate, hits } = await setUp({
      clock: createManualClock(START),
      rateLimit: { limit: 61, windowMs: 60_000 },
    })
    const request = { headers: ['X-API-Key', 'k-burst'] }
    const burst = (count: number) =>
      Promise.all(Array.from({ length: count }, () => send(tollgate.url, request)))

    const filling = await burst(60)
    const racing = await burst(20)

    expect(filling.every((response) => response.status === 200)).toBe(true)
    const passed = racing.filter((response) => response.status === 200)
    expect(passed).toHaveLength(1)
    expect(remainingOf(passed[0]!)).toBe('0')
    expect(racing.filter((response) => response.status === 429)).toHaveLength(19)
    expect(hits()).toBe(61)
  })

  it.each([
    ['back', -3_600_000],
    ['forward', 3_600_000],
  ])(
    'frees a locked-out key one window after its oldest request when the wall clock jumps %s',
    async (_direction, jumpMs) => {
      const windowMs = 60_000
      const firstAt = 5_000
      let wall = START
      let monotonic = firstAt
      const clock = createMonotonicClock(
        () => wall,
        () => monotonic,
      )
      const { tollgate } = await setUp({ clock, rateLimit: { limit: 2, windowMs } })
      const request = { headers: ['X-API-Key', 'k-clock'] }
      // The clock is anchored at START when monotonic time reads `firstAt`.
      const gatewayTime = (monotonicMs: number) => START + monotonicMs - firstAt
      const secondsUntilFree = (monotonicMs: number) =>
        String(Math.ceil((firstAt + windowMs - monotonicMs) / 1000))

      await send(tollgate.url, request)
      monotonic = firstAt + 1_000
      await send(tollgate.url, request)
      monotonic = firstAt + 2_000
      const lockedOut = await send(tollgate.url, request)
      wall += jumpMs
      monotonic = firstAt + 12_000
      const afterJump = await send(tollgate.url, request)
      monotonic = firstAt + windowMs - 1
      const lastMillisecond = await send(tollgate.url, request)
      monotonic = firstAt + windowMs
      const recovered = await send(tollgate.url, request)

      expect(lockedOut.status).toBe(429)
      expect(header(lockedOut, 'Retry-After')).toEqual([secondsUntilFree(firstAt + 2_000)])
      expect(afterJump.status).toBe(429)
      expect(header(afterJump, 'X-RateLimit-Reset')).toEqual([
        String(gatewayTime(firstAt + windowMs) / 1000),
      ])
      expect(header(afterJump, 'Retry-After')).toEqual([secondsUntilFree(firstAt + 12_000)])
      expect(lastMillisecond.status).toBe(429)
      expect(header(lastMillisecond, 'Retry-After')).toEqual(['1'])
      expect(recovered.status).toBe(200)
      expect(remainingOf(recovered)).toBe('0')
      // The second request is now the oldest counted one.
      expect(header(recovered, 'X-RateLimit-Reset')).toEqual([
        String(gatewayTime(firstAt + 1_000 + windowMs) / 1000),
      ])
    },
  )

  it('adds Origin to the upstream Vary on allowed, disallowed and Origin-less responses', async () => {
    const { tollgate } = await setUp({ cors: { allowedOrigins: [APP, DEV] } }, (_req, res) => {
      res.writeHead(200, { 'Cache-Control': 'max-age=60', Vary: 'Accept-Encoding' })
      res.end('cacheable')
    })
    const from = (origin?: string) =>
      send(tollgate.url, {
        path: '/catalog',
        headers: origin === undefined ? [] : ['Origin', origin],
      })

    const disallowed = await from('https://evil.test')
    const allowed = await from(APP)
    const withoutOrigin = await from()

    for (const response of [disallowed, allowed, withoutOrigin]) {
      expect(response.status).toBe(200)
      expect(header(response, 'Cache-Control')).toEqual(['max-age=60'])
      const vary = tokens(response, 'Vary')
      expect(vary).toContain('accept-encoding')
      expect(vary.filter((token) => token === 'origin')).toHaveLength(1)
    }
    expect(header(allowed, 'Access-Control-Allow-Origin')).toEqual([APP])
    expect(header(disallowed, 'Access-Control-Allow-Origin')).toEqual([])
    expect(header(withoutOrigin, 'Access-Control-Allow-Origin')).toEqual([])
  })

  it('compares requested headers case-insensitively and names the one that fails', async () => {
    const { tollgate } = await setUp({
      cors: { allowedOrigins: [APP], allowedHeaders: ['X-Api-Key', 'content-TYPE'] },
    })
    const preflight = (requested: string) =>
      send(tollgate.url, {
        method: 'OPTIONS',
        path: '/orders',
        headers: [
          'Origin', APP,
          'Access-Control-Request-Method', 'POST',
          'Access-Control-Request-Headers', requested,
        ], // prettier-ignore
      })

    const passing = await preflight('  CONTENT-type ,, x-API-KEY  ,')
    const failing = await preflight('  CONTENT-type ,, x-API-KEY  , x-debug')
    tollgate.store.flush()

    expect(passing.status).toBe(204)
    expect(header(passing, 'Access-Control-Allow-Origin')).toEqual([APP])
    expect(failing.status).toBe(403)
    expect(header(failing, 'Access-Control-Allow-Origin')).toEqual([])
    const [failedRow, passedRow] = tollgate.store.list({ limit: 2 }).items
    expect(passedRow!.cors?.outcome).toBe('allowed')
    expect(failedRow!.cors?.outcome).toBe('blocked')
    expect(failedRow!.cors?.blocking?.detail).toContain('x-debug')
    expect(failedRow!.cors?.blocking?.fix).toContain('x-debug')
  })

  it('answers a credentialed request over the limit with a 429 the page can read', async () => {
    const { tollgate } = await setUp({
      clock: createManualClock(START),
      rateLimit: { limit: 2, windowMs: 60_000 },
      cors: { allowedOrigins: [APP], allowCredentials: true },
    })
    const request = {
      path: '/me',
      headers: ['Origin', APP, 'Cookie', 'session=abc', 'X-API-Key', 'k-cookie'],
    }

    await send(tollgate.url, request)
    await send(tollgate.url, request)
    const limited = await send(tollgate.url, request)
    tollgate.store.flush()

    expect(limited.status).toBe(429)
    expect(header(limited, 'Access-Control-Allow-Origin')).toEqual([APP])
    expect(header(limited, 'Access-Control-Allow-Credentials')).toEqual(['true'])
    const exposed = tokens(limited, 'Access-Control-Expose-Headers')
    expect(exposed).toEqual(expect.arrayContaining(['x-ratelimit-remaining', 'retry-after']))
    expect(header(limited, 'Content-Type')).toEqual(['application/json'])
    expect(limited.body.toString('utf8')).toBe(RATE_LIMITED_BODY)
    expect(tollgate.store.list({ limit: 1 }).items[0]!.cors?.outcome).toBe('allowed')
  })

  it('puts CORS and rate-limit headers on its own 502 when the upstream is down', async () => {
    const gone = await startServer((_req, res) => res.end())
    await gone.close()
    const tollgate = await startTollgate({
      upstream: gone.url,
      clock: createManualClock(START),
      cors: { allowedOrigins: [APP] },
    })
    cleanups.push(tollgate.stop)

    const response = await send(tollgate.url, {
      path: '/down',
      headers: ['Origin', APP, 'X-API-Key', 'k-down'],
    })

    expect(response.status).toBe(502)
    expect(JSON.parse(response.body.toString('utf8')).error.code).toBe('UPSTREAM_UNREACHABLE')
    expect(header(response, 'Access-Control-Allow-Origin')).toEqual([APP])
    expect(tokens(response, 'Vary')).toContain('origin')
    expect(tokens(response, 'Access-Control-Expose-Headers')).toEqual(
      expect.arrayContaining(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']),
    )
    expect(header(response, 'X-RateLimit-Limit')).toEqual(['60'])
    expect(header(response, 'X-RateLimit-Remaining')).toEqual(['59'])
    expect(header(response, 'X-RateLimit-Reset')).toEqual([String((START + 60_000) / 1000)])
    expect(header(response, 'Retry-After')).toEqual([])
  })

  it("replaces the upstream's CORS and budget headers and records its budget", async () => {
    const upstreamReset = START / 1000 + 30
    const { tollgate } = await setUp(
      { clock: createManualClock(START), cors: { allowedOrigins: [APP] } },
      (_req, res) => {
        res.writeHead(200, [
          'Access-Control-Allow-Origin', '*',
          'Access-Control-Allow-Credentials', 'true',
          'X-RateLimit-Limit', '1000',
          'X-RateLimit-Remaining', '998',
          'X-RateLimit-Reset', String(upstreamReset),
        ]) // prettier-ignore
        res.end('{}')
      },
    )

    const response = await send(tollgate.url, {
      path: '/quota',
      headers: ['Origin', APP, 'X-API-Key', 'k-upstream'],
    })
    tollgate.store.flush()

    expect(header(response, 'Access-Control-Allow-Origin')).toEqual([APP])
    expect(header(response, 'Access-Control-Allow-Credentials')).toEqual([])
    expect(header(response, 'X-RateLimit-Limit')).toEqual(['60'])
    expect(header(response, 'X-RateLimit-Remaining')).toEqual(['59'])
    expect(header(response, 'X-RateLimit-Reset')).toEqual([String((START + 60_000) / 1000)])
    const row = tollgate.store.list({ limit: 1 }).items[0]!
    expect(row.upstreamRateLimit).toEqual({
      source: 'x-ratelimit',
      limit: 1000,
      remaining: 998,
      resetAt: upstreamReset * 1000,
    })
    expect(row.rateLimit?.remaining).toBe(59)
  })

  it('evicts 100 000 idle buckets on sweep and gives their memory back', async () => {
    const limiter = new SlidingWindowLimiter()
    const policy = { limit: 60, windowMs: 60_000 }

    for (let i = 0; i < 100_000; i++) limiter.consume(`key-${i}`, START + (i % 1000), policy)
    const held = limiter.size
    const evicted = limiter.sweep(START + 1000 + 60_000)
    const heap = await measureSweepInChildProcess()

    expect(held).toBe(100_000)
    expect(evicted).toBe(100_000)
    expect(limiter.size).toBe(0)
    expect(heap.size).toBe(0)
    // The measurement must see the buckets at all, or the bound after the sweep proves nothing.
    expect(heap.filledMb - heap.startMb).toBeGreaterThan(5)
    expect(heap.sweptMb - heap.startMb).toBeLessThan((heap.filledMb - heap.startMb) / 4)
  })
})

interface HeapFigures {
  startMb: number
  filledMb: number
  sweptMb: number
  size: number
}

// Runs in a child with --expose-gc: the vitest worker cannot force a collection, so its heap
// figures would still count the evicted buckets as garbage not yet collected.
const HEAP_SCRIPT = `
const { SlidingWindowLimiter } = await import(process.env.TOLLGATE_LIBRARY)
const heapMb = () => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20 }
const limiter = new SlidingWindowLimiter()
const policy = { limit: 60, windowMs: 60000 }
const startMb = heapMb()
for (let i = 0; i < 100000; i++) limiter.consume('key-' + i, i % 1000, policy)
const filledMb = heapMb()
limiter.sweep(1000 + 60000)
const sweptMb = heapMb()
console.log(JSON.stringify({ startMb, filledMb, sweptMb, size: limiter.size }))
`

async function measureSweepInChildProcess(): Promise<HeapFigures> {
  if (!existsSync(LIBRARY)) {
    throw new Error(`The heap check runs against ${LIBRARY}; build it first with npm run build.`)
  }
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--input-type=module', '-e', HEAP_SCRIPT],
    { env: { ...process.env, TOLLGATE_LIBRARY: pathToFileURL(LIBRARY).href } },
  )
  return JSON.parse(stdout) as HeapFigures
}
