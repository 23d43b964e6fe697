import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HeaderList } from '../../../shared/exchange'
import { silentLogger } from '../../../electron/core/logger'
import { openStore, type LoggedExchange } from '../../../electron/core/store'
import { createBatchWriter } from '../../../electron/core/store/batch-writer'
import { HeaderListJson, RepeatedJson } from '../../../electron/core/store/header-json'
import { applyMigrations } from '../../../electron/core/store/migrations'
import type { PendingWrite } from '../../../electron/core/store/pending-batches'
import { rateLimitJson } from '../../../electron/core/store/rows'
import { makeExchange, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

describe('HeaderListJson', () => {
  it('gives exactly what JSON.stringify gives, list after list', () => {
    const json = new HeaderListJson()
    const lists: HeaderList[] = [
      [
        ['Host', 'a'],
        ['Accept', '*/*'],
      ],
      [
        ['Host', 'a'],
        ['Accept', '*/*'],
      ],
      [
        ['Host', 'b'],
        ['Accept', '*/*'],
      ],
      [['Host', 'b']],
      [
        ['Host', 'b'],
        ['Accept', '*/*'],
        ['X-Text', 'a "quoted" \\ value, café ☕ \u0000 \ud800'],
        ['X-Emoji', '😀 \u2028 \t'],
      ],
      [],
      [['Host', 'b'], undefined as unknown as [string, string], ['Accept', '*/*']],
      [
        ['Host', 'b'],
        ['Accept', 7 as unknown as string],
      ],
      [
        ['Host', 'b'],
        ['Accept', '*/*'],
      ],
    ]

    for (const list of lists) expect(json.stringify(list)).toBe(JSON.stringify(list))
  })
})

describe('RepeatedJson', () => {
  it('gives exactly what JSON.stringify gives, value after value', () => {
    const json = new RepeatedJson()
    const verdict = () => ({
      outcome: 'allowed',
      blocking: undefined,
      warnings: [{ rule: 'preflight-missing', detail: 'from "x"', fix: 'send it' }],
      preflight: { needed: true, source: 'missing' },
    })
    class Finding {
      toJSON() {
        return 'custom'
      }
    }
    const values: unknown[] = [
      verdict(),
      verdict(),
      { ...verdict(), outcome: 'blocked' },
      { ...verdict(), warnings: [] },
      {
        ...verdict(),
        warnings: [{ rule: 'preflight-missing', detail: 'from "y"', fix: 'send it' }],
      },
      { warnings: [], outcome: 'allowed', preflight: { needed: true, source: 'missing' } },
      { outcome: 'allowed', warnings: [], preflight: { needed: true, source: 'missing' } },
      { outcome: 'allowed', warnings: [], preflight: { needed: true, source: 'missing' } },
      { outcome: 'allowed', warnings: [undefined, () => 1], count: NaN },
      { outcome: 'allowed', warnings: [undefined, () => 1], count: NaN },
      { outcome: 'allowed', warnings: [null, null], count: null },
      { outcome: 'allowed', when: new Date(0), finding: new Finding() },
      { outcome: 'allowed', when: '1970-01-01T00:00:00.000Z', finding: 'custom' },
      { outcome: 'allowed', when: new Date(1), finding: new Finding() },
      { outcome: 'allowed', zero: -0, big: 1e21, list: [1, '1', true] },
      { outcome: 'allowed', zero: 0, big: 1e21, list: ['1', 1, true] },
      { outcome: 'allowed', zero: 0, big: 1e21, list: ['1', 1, true], extra: undefined },
      { outcome: 'allowed', zero: 0, big: 1e21, list: ['1', 1, true], extra: 'now' },
      'text',
      'text',
      7,
      null,
      [],
    ]

    for (const value of values) expect(json.stringify(value)).toBe(JSON.stringify(value))
  })

  it('notices a logged object changed in place before the next one is written', () => {
    const json = new RepeatedJson()
    const verdict = { outcome: 'allowed', warnings: [{ rule: 'a' }] }
    expect(json.stringify(verdict)).toBe(JSON.stringify(verdict))
    verdict.warnings[0] = { rule: 'b' }
    expect(json.stringify(verdict)).toBe('{"outcome":"allowed","warnings":[{"rule":"b"}]}')
  })
})

describe('rateLimitJson', () => {
  it('writes what JSON.stringify writes for the decisions the limiter makes', () => {
    const allowed = {
      bucket: 'key "ab\\cd"',
      allowed: true,
      limit: 60,
      windowMs: 60_000,
      remaining: 59,
      resetAt: 1_796_419_060_600.5,
      enforced: true,
    }
    const refused = {
      bucket: 'anonymous 127.0.0.1',
      allowed: false,
      limit: 60,
      windowMs: 60_000,
      remaining: 0,
      resetAt: 1_796_419_060_600,
      retryAfterSeconds: 12,
      enforced: true,
    }
    const observing = { ...allowed, remaining: 0, enforced: false }

    for (const decision of [
      allowed,
      refused,
      allowed,
      observing,
      { ...refused, limit: Infinity },
    ]) {
      expect(rateLimitJson(decision)).toBe(JSON.stringify(decision))
    }
    expect(rateLimitJson(undefined)).toBeNull()
  })
})

describe('the batch encoding', () => {
  const textOf = (exchange: LoggedExchange | undefined) => ({
    url: exchange?.url,
    keyMasked: exchange?.keyMasked,
    origin: exchange?.origin,
    requestHeaders: exchange?.requestHeaders,
  })

  it('stores texts shared by consecutive rows exactly, around a row left out and an update', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    const shared = {
      url: '/same',
      keyMasked: 'sk_…9f2c',
      origin: 'http://localhost:3000',
      requestHeaders: [['X-Text', 'café ☕ \ud800']] as HeaderList,
    }
    const circular = { outcome: 'allowed', warnings: [] } as Record<string, unknown>
    circular.self = circular

    store.record(makeExchange(1, shared))
    store.record(makeExchange(2, { ...shared, cors: circular as never }))
    store.record(makeExchange(3, { ...shared }))
    store.update(1, { pairedId: 3 })
    store.record(makeExchange(4, { ...shared, url: '/other' }))
    store.record(makeExchange(5, { ...shared }))
    store.flush()
    const read = [1, 2, 3, 4, 5].map((id) => store.get(id))
    const status = store.status()
    store.close()

    expect(status).toMatchObject({ pending: 0, rejected: 1 })
    expect(read[0]?.pairedId).toBe(3)
    expect(read[1]).toBeUndefined()
    expect(textOf(read[0])).toEqual(shared)
    expect(textOf(read[2])).toEqual(shared)
    expect(textOf(read[3])).toEqual({ ...shared, url: '/other' })
    expect(textOf(read[4])).toEqual(shared)
  })

  it('keeps numbers exact and stores bigints as integers', () => {
    const db = new Database(temp.file)
    applyMigrations(db, temp.file)
    const startedAt = 1_767_225_600_000 + Math.PI
    const writes: PendingWrite[] = [
      { type: 'insert', exchange: makeExchange(1, { startedAt, endedAt: startedAt + 0.1 }) },
      { type: 'insert', exchange: makeExchange(2, { status: 42n as unknown as number }) },
    ]

    createBatchWriter(db).write(writes)
    const rows = db
      .prepare('SELECT started_at, ended_at, status, typeof(status) AS type FROM exchanges')
      .all()
    db.close()

    expect(rows).toEqual([
      { started_at: startedAt, ended_at: startedAt + 0.1, status: 200, type: 'integer' },
      { started_at: 1_700_000_000_002, ended_at: null, status: 42, type: 'integer' },
    ])
  })

  it('refuses a value SQLite cannot store and keeps the rest of the row out too', () => {
    const db = new Database(temp.file)
    applyMigrations(db, temp.file)
    const writes: PendingWrite[] = [
      { type: 'insert', exchange: makeExchange(1, { status: true as unknown as number }) },
      { type: 'insert', exchange: makeExchange(2) },
    ]

    const result = createBatchWriter(db).write(writes)
    const ids = db.prepare('SELECT id FROM exchanges').pluck().all()
    db.close()

    expect(result.rejected[0]?.error.message).toMatch(/a boolean cannot be stored/)
    expect(ids).toEqual([2])
  })
})
