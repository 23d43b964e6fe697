import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../electron/core/logger'
import { openStore, type LoggedExchange, type LoggedSummary } from '../../../electron/core/store'
import { makeExchange, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

function makeFullExchange(id: number): LoggedExchange {
  return {
    id,
    kind: 'http',
    startedAt: 1_700_000_000_123.25,
    firstByteAt: 1_700_000_000_140.5,
    endedAt: 1_700_000_000_151.75,
    method: 'POST',
    url: '/orders?id=7&q=caf%C3%A9',
    httpVersion: '1.1',
    status: 201,
    clientAddress: '::ffff:127.0.0.1',
    keyMasked: 'sk_live_…9f2c',
    keyHash: 'a1b2c3',
    origin: 'http://localhost:3000',
    requestHeaders: [
      ['Host', 'localhost:8787'],
      ['Cookie', 'a=1'],
      ['cookie', 'b=2'],
      ['X-Empty', ''],
    ],
    responseHeaders: [
      ['Set-Cookie', 'x=1; Path=/'],
      ['Set-Cookie', 'y=2; Path=/'],
      ['content-type', 'application/octet-stream'],
    ],
    requestBody: new Uint8Array([0x00, 0xe9, 0x41, 0x00, 0xff]),
    requestBodySize: 5,
    requestBodyTruncated: false,
    responseBody: Buffer.from([0xe9, 0x00, 0x00, 0x7f]),
    responseBodySize: 4096,
    responseBodyTruncated: true,
    errorCode: 'UPSTREAM_RESET',
    errorMessage: 'socket hang up after 4 bytes',
    rateLimit: {
      bucket: 'key a1b2c3',
      allowed: true,
      limit: 60,
      windowMs: 60_000,
      remaining: 59,
      resetAt: 1_700_000_060_123,
      enforced: true,
    },
    upstreamRateLimit: {
      source: 'x-ratelimit',
      limit: 1000,
      remaining: 998,
      resetAt: 1_700_000_100_000,
    },
    cors: {
      outcome: 'blocked',
      blocking: { rule: 'header-not-exposed', detail: 'X-Total is read', fix: 'expose X-Total' },
      warnings: [],
      preflight: { needed: true, source: 'logged', exchangeId: id - 1 },
    },
    pairedId: id - 1,
    session: 'replay-1',
  }
}

describe('openStore', () => {
  it('returns every field as recorded, binary bodies and repeated headers included', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    const exchange = makeFullExchange(store.nextId())

    store.record(exchange)
    store.close()
    const reopened = openStore({ path: temp.file, logger: silentLogger })
    const read = reopened.get(exchange.id)
    reopened.close()

    expect(read).toEqual({
      ...exchange,
      requestBody: Buffer.from(exchange.requestBody),
      responseBody: Buffer.from(exchange.responseBody),
    })
    expect(Buffer.isBuffer(read?.requestBody)).toBe(true)
  })

  it('leaves optional fields absent and keeps empty bodies as empty blobs', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    const exchange = makeExchange(1, { status: undefined, responseHeaders: undefined })

    store.record(exchange)
    store.flush()
    const read = store.get(1)
    store.close()
    const db = new Database(temp.file, { readonly: true })
    const blobType = db.prepare('SELECT typeof(request_body) AS type FROM exchanges').get()
    db.close()

    expect(read).toBeDefined()
    expect(Object.keys(read ?? {})).not.toContain('status')
    expect(Object.keys(read ?? {})).not.toContain('responseHeaders')
    expect(read?.requestBody).toEqual(Buffer.alloc(0))
    expect(blobType).toEqual({ type: 'blob' })
  })

  it('keeps all 10 000 recorded exchanges across close and reopen', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    for (let index = 0; index < 10_000; index++) store.record(makeExchange(store.nextId()))

    store.close()
    const reopened = openStore({ path: temp.file, logger: silentLogger })
    const count = reopened.count()
    reopened.close()

    expect(count).toBe(10_000)
  })

  it('continues ids after reopen, even after the log was cleared', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    const first = store.nextId()
    const second = store.nextId()
    store.record(makeExchange(second))
    store.close()
    const reopened = openStore({ path: temp.file, logger: silentLogger })
    const third = reopened.nextId()
    reopened.record(makeExchange(third))
    reopened.flush()
    reopened.clear()
    reopened.close()
    const again = openStore({ path: temp.file, logger: silentLogger })

    const fourth = again.nextId()
    again.close()

    expect([first, second, third, fourth]).toEqual([1, 2, 3, 4])
  })

  it('creates the missing parent directory and opens it in WAL mode', () => {
    const file = path.join(temp.dir, 'nested', 'deeper', 'log.db')

    const store = openStore({ path: file, logger: silentLogger })
    store.close()
    const db = new Database(file, { readonly: true })
    const mode = db.pragma('journal_mode', { simple: true })
    db.close()

    expect(fs.statSync(file).isFile()).toBe(true)
    expect(mode).toBe('wal')
  })

  it('works in memory', () => {
    const store = openStore({ path: ':memory:', logger: silentLogger })

    store.record(makeExchange(store.nextId()))
    store.flush()

    expect(store.count()).toBe(1)
    store.close()
  })

  it('applies an update after the insert it follows and reports both to listeners', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    const batches: LoggedSummary[][] = []
    store.onRecorded((summaries) => batches.push(summaries))
    const preflight = store.nextId()
    const actual = store.nextId()

    store.record(makeExchange(preflight, { kind: 'preflight', method: 'OPTIONS' }))
    store.record(makeExchange(actual, { pairedId: preflight }))
    store.update(preflight, { pairedId: actual })
    store.flush()

    expect(store.get(preflight)?.pairedId).toBe(actual)
    expect(batches).toHaveLength(1)
    expect(batches[0]?.map((summary) => [summary.id, summary.pairedId])).toEqual([
      [preflight, actual],
      [actual, preflight],
    ])
    expect(batches[0]?.[0]).not.toHaveProperty('requestBody')
    store.close()
  })

  it('writes on its own timer without an explicit flush', async () => {
    const store = openStore({ path: temp.file, logger: silentLogger, flushIntervalMs: 5 })
    const recorded = new Promise<LoggedSummary[]>((resolve) => store.onRecorded(resolve))

    store.record(makeExchange(store.nextId()))
    const summaries = await recorded

    expect(summaries.map((summary) => summary.id)).toEqual([1])
    expect(store.count()).toBe(1)
    store.close()
  })

  it('writes a full batch on the next turn without waiting for the timer', async () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      flushIntervalMs: 60_000,
      maxBatch: 10,
    })
    const recorded = new Promise<LoggedSummary[]>((resolve) => store.onRecorded(resolve))

    for (let index = 0; index < 10; index++) store.record(makeExchange(store.nextId()))
    const pendingBefore = store.status().pending
    const summaries = await recorded

    expect(pendingBefore).toBe(10)
    expect(summaries).toHaveLength(10)
    store.close()
  })
})
