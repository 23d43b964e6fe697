import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RateLimitDecision } from '../../../shared/exchange'
import { silentLogger } from '../../../electron/core/logger'
import { openStore, type Store } from '../../../electron/core/store'
import { makeExchange, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>
let store: Store

beforeEach(() => {
  temp = makeTempDir()
  store = openStore({ path: temp.file, logger: silentLogger })
})

afterEach(() => {
  store.close()
  temp.remove()
})

const ids = (page: { items: { id: number }[] }) => page.items.map((item) => item.id)

function seedVariety() {
  store.record(makeExchange(1, { method: 'GET', status: 200, keyHash: 'k1' }))
  store.record(makeExchange(2, { method: 'POST', status: 201, keyHash: 'k2' }))
  store.record(makeExchange(3, { method: 'GET', status: 404, keyHash: 'k1' }))
  store.record(
    makeExchange(4, {
      method: 'OPTIONS',
      kind: 'preflight',
      status: 403,
      origin: 'http://evil.test',
      cors: { outcome: 'blocked', warnings: [] },
    }),
  )
  store.record(
    makeExchange(5, {
      status: 502,
      origin: 'http://localhost:3000',
      cors: { outcome: 'allowed', warnings: [] },
      session: 'import-1',
    }),
  )
  store.record(makeExchange(6, { status: 301 }))
  store.flush()
}

describe('list', () => {
  it('returns newest first with a cursor to the older page', () => {
    for (let id = 1; id <= 5; id++) store.record(makeExchange(id))
    store.flush()

    const first = store.list({ limit: 2 })
    const second = store.list({ limit: 2, before: first.nextCursor })
    const last = store.list({ limit: 2, before: second.nextCursor })

    expect(ids(first)).toEqual([5, 4])
    expect(first.nextCursor).toBe(4)
    expect(ids(second)).toEqual([3, 2])
    expect(ids(last)).toEqual([1])
    expect(last.nextCursor).toBeUndefined()
  })

  it('returns only what arrived after a given id', () => {
    seedVariety()

    const page = store.list({ after: 4 })

    expect(ids(page)).toEqual([6, 5])
  })

  it('filters by method, exact status, status class, key, kind and origin', () => {
    seedVariety()

    expect(ids(store.list({ method: 'GET' }))).toEqual([6, 5, 3, 1])
    expect(ids(store.list({ status: 404 }))).toEqual([3])
    expect(ids(store.list({ status: '2xx' }))).toEqual([2, 1])
    expect(ids(store.list({ status: '3xx' }))).toEqual([6])
    expect(ids(store.list({ status: '5xx' }))).toEqual([5])
    expect(ids(store.list({ keyHash: 'k1' }))).toEqual([3, 1])
    expect(ids(store.list({ kind: 'preflight' }))).toEqual([4])
    expect(ids(store.list({ origin: 'http://localhost:3000' }))).toEqual([5])
  })

  it('filters by CORS outcome, counting a request without Origin as not CORS', () => {
    seedVariety()

    expect(ids(store.list({ outcome: 'blocked' }))).toEqual([4])
    expect(ids(store.list({ outcome: 'allowed' }))).toEqual([5])
    expect(ids(store.list({ outcome: 'not-cors' }))).toEqual([6, 3, 2, 1])
  })

  it('separates live traffic from sessions', () => {
    seedVariety()

    expect(ids(store.list({ session: null }))).toEqual([6, 4, 3, 2, 1])
    expect(ids(store.list({ session: 'import-1' }))).toEqual([5])
    expect(store.list({ session: 'import-1' }).items[0]?.session).toBe('import-1')
    expect(store.count({ session: undefined })).toBe(6)
  })

  it('combines filters and counts with the same filter', () => {
    seedVariety()

    const filter = { method: 'GET', keyHash: 'k1', status: '4xx' } as const

    expect(ids(store.list(filter))).toEqual([3])
    expect(store.count(filter)).toBe(1)
    expect(store.count()).toBe(6)
  })

  it('caps the page size at 1000', () => {
    for (let id = 1; id <= 1005; id++) store.record(makeExchange(id))
    store.flush()

    const page = store.list({ limit: 5000 })

    expect(page.items).toHaveLength(1000)
    expect(page.nextCursor).toBe(6)
  })

  it('returns summaries without bodies', () => {
    store.record(makeExchange(1))
    store.flush()

    const item = store.list().items[0]

    expect(item).not.toHaveProperty('requestBody')
    expect(item).not.toHaveProperty('responseBody')
    expect(item?.responseBodySize).toBe(8)
  })
})

describe('text search', () => {
  it('finds a substring of a binary response body, past a NUL byte and ignoring ASCII case', () => {
    const body = Buffer.concat([Buffer.from([0x00, 0xe9]), Buffer.from('{"token":"NeedleValue"}')])
    store.record(makeExchange(1, { responseBody: body, responseBodySize: body.length }))
    store.record(makeExchange(2))
    store.flush()

    const page = store.list({ text: 'needlevalue' })

    expect(ids(page)).toEqual([1])
  })

  it('finds a substring of the url, a request header or the request body', () => {
    store.record(makeExchange(1, { url: '/search?q=alpaca' }))
    store.record(makeExchange(2, { requestHeaders: [['X-Trace', 'alpaca-77']] }))
    store.record(makeExchange(3, { requestBody: Buffer.from('name=alpaca') }))
    store.record(makeExchange(4))
    store.flush()

    const page = store.list({ text: 'alpaca' })
    const shouted = store.list({ text: 'ALPACA' })

    expect(ids(page)).toEqual([3, 2, 1])
    expect(ids(shouted)).toEqual([3, 2, 1])
  })

  it('treats LIKE wildcards in the search text literally', () => {
    store.record(makeExchange(1, { url: '/a_b' }))
    store.record(makeExchange(2, { url: '/axb' }))
    store.flush()

    expect(ids(store.list({ text: 'a_b' }))).toEqual([1])
    expect(ids(store.list({ text: '%' }))).toEqual([])
  })
})

describe('budgetSeries', () => {
  function decision(bucket: string, remaining: number, allowed: boolean): RateLimitDecision {
    return { bucket, allowed, limit: 3, windowMs: 60_000, remaining, resetAt: 0, enforced: true }
  }

  it('charts one bucket from the live decisions since a time, oldest first', () => {
    const at = (id: number) => 1_000 * id
    store.record(makeExchange(1, { startedAt: at(1), rateLimit: decision('key a', 2, true) }))
    store.record(makeExchange(2, { startedAt: at(2), rateLimit: decision('key a', 1, true) }))
    store.record(makeExchange(3, { startedAt: at(3), rateLimit: decision('key b', 2, true) }))
    store.record(makeExchange(4, { startedAt: at(4), rateLimit: decision('key a', 0, true) }))
    store.record(makeExchange(5, { startedAt: at(5), rateLimit: decision('key a', 0, false) }))
    store.record(makeExchange(6, { startedAt: at(6), kind: 'preflight' }))
    // Imported from a file: its decision was made by another run, not this budget.
    const imported = { startedAt: at(7), rateLimit: decision('key a', 2, true), session: 'har' }
    store.record(makeExchange(7, imported))
    store.flush()

    const series = store.budgetSeries('key a', at(2))

    expect(series).toEqual([
      { t: 2_000, remaining: 1, limit: 3, limited: false },
      { t: 4_000, remaining: 0, limit: 3, limited: false },
      { t: 5_000, remaining: 0, limit: 3, limited: true },
    ])
  })

  it('carries the upstream Remaining beside its own where the upstream reported one', () => {
    const upstreamRateLimit = { source: 'x-ratelimit' as const, limit: 1000, remaining: 998 }
    store.record(makeExchange(1, { startedAt: 1_000, rateLimit: decision('key a', 2, true) }))
    store.record(
      makeExchange(2, {
        startedAt: 2_000,
        rateLimit: decision('key a', 1, true),
        upstreamRateLimit,
      }),
    )
    store.flush()

    const series = store.budgetSeries('key a', 0)

    expect(series.map((point) => point.upstreamRemaining)).toEqual([undefined, 998])
  })
})

describe('clear', () => {
  it('removes committed and pending exchanges', () => {
    store.record(makeExchange(1))
    store.flush()
    store.record(makeExchange(2))

    store.clear()
    store.flush()

    expect(store.count()).toBe(0)
    expect(store.status().pending).toBe(0)
  })
})
