import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HeaderList } from '../../../shared/exchange'
import { silentLogger } from '../../../electron/core/logger'
import { openStore, type LoggedExchange } from '../../../electron/core/store'
import { createBatchWriter } from '../../../electron/core/store/batch-writer'
import { HeaderListJson } from '../../../electron/core/store/header-json'
import { applyMigrations } from '../../../electron/core/store/migrations'
import type { PendingWrite } from '../../../electron/core/store/pending-queue'
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
