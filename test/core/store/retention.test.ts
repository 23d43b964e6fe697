import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../electron/core/logger'
import { openStore } from '../../../electron/core/store'
import { createBatchWriter } from '../../../electron/core/store/batch-writer'
import { applyMigrations } from '../../../electron/core/store/migrations'
import { createRetention } from '../../../electron/core/store/retention'
import { makeExchange, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

const ids = (page: { items: { id: number }[] }) => page.items.map((item) => item.id)

describe('retention', () => {
  it('keeps only the newest rows beyond the row limit after a flush', () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      retentionIntervalMs: 0,
      retention: { maxRows: 100, maxAgeMs: 0 },
    })
    for (let index = 0; index < 250; index++) store.record(makeExchange(store.nextId()))

    store.flush()
    const count = store.count()
    const oldest = ids(store.list({ limit: 1000 })).at(-1)
    store.close()

    expect(count).toBe(100)
    expect(oldest).toBe(151)
  })

  it('trims a log that is over its limit when opened', () => {
    const unlimited = openStore({ path: temp.file, logger: silentLogger })
    for (let index = 0; index < 50; index++) unlimited.record(makeExchange(unlimited.nextId()))
    unlimited.close()

    const limited = openStore({
      path: temp.file,
      logger: silentLogger,
      retention: { maxRows: 10, maxAgeMs: 0 },
    })
    const count = limited.count()
    limited.close()

    expect(count).toBe(10)
  })

  it('drops exchanges that started before the age limit, by the injected clock', () => {
    const now = 1_000_000
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      retentionIntervalMs: 0,
      retention: { maxRows: 0, maxAgeMs: 60_000 },
      clock: () => now,
    })
    store.record(makeExchange(1, { startedAt: now - 120_000 }))
    store.record(makeExchange(2, { startedAt: now - 60_001 }))
    store.record(makeExchange(3, { startedAt: now - 60_000 }))
    store.record(makeExchange(4, { startedAt: now - 1 }))

    store.flush()
    const kept = ids(store.list())
    store.close()

    expect(kept).toEqual([4, 3])
  })

  it('waits for the interval before trimming again', () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      retentionIntervalMs: 3_600_000,
      retention: { maxRows: 10, maxAgeMs: 0 },
    })
    for (let index = 0; index < 50; index++) store.record(makeExchange(store.nextId()))

    store.flush()
    const count = store.count()
    store.close()

    expect(count).toBe(50)
  })

  it('keeps everything when both limits are 0', () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      retentionIntervalMs: 0,
      retention: { maxRows: 0, maxAgeMs: 0 },
      clock: () => Number.MAX_SAFE_INTEGER,
    })
    for (let index = 0; index < 20; index++) store.record(makeExchange(store.nextId()))

    store.flush()
    const count = store.count()
    store.close()

    expect(count).toBe(20)
  })

  it('deletes a large backlog in bounded chunks, oldest first', () => {
    const db = new Database(temp.file)
    applyMigrations(db, temp.file)
    const rows = Array.from({ length: 35 }, (_, index) => makeExchange(index + 1))
    createBatchWriter(db).write(rows.map((exchange) => ({ type: 'insert', exchange })))
    const retention = createRetention(db, 10)

    const runs = [1, 2, 3, 4].map(() => retention.enforce({ maxRows: 5, maxAgeMs: 0 }, 0))
    const left = db.prepare('SELECT id FROM exchanges ORDER BY id').pluck().all()
    db.close()

    expect(runs.map((run) => [run.byRows, run.more])).toEqual([
      [10, true],
      [10, true],
      [10, true],
      [0, false],
    ])
    expect(left).toEqual([31, 32, 33, 34, 35])
  })
})
