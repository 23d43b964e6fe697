import { createHash } from 'node:crypto'
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TollgateError } from '../../../shared/errors'
import { silentLogger } from '../../../electron/core/logger'
import { MIGRATIONS, openStore } from '../../../electron/core/store'
import { PAGE_SIZE } from '../../../electron/core/store/connection'
import { applyMigrations } from '../../../electron/core/store/migrations'
import { makeExchange, makeRecordingLogger, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

function openRaw(file: string) {
  return new Database(file)
}

function catchError(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  return undefined
}

describe('migrations', () => {
  it('records every migration with the sha256 of its SQL', () => {
    openStore({ path: temp.file, logger: silentLogger }).close()

    const db = openRaw(temp.file)
    const rows = db.prepare('SELECT version, name, hash FROM migrations ORDER BY version').all()
    db.close()

    expect(rows).toEqual(
      MIGRATIONS.map((migration) => ({
        version: migration.version,
        name: migration.name,
        hash: createHash('sha256').update(migration.sql).digest('hex'),
      })),
    )
  })

  it('creates a log with large pages, and keeps the page size of an existing one', () => {
    openStore({ path: temp.file, logger: silentLogger }).close()
    const older = `${temp.file}.older`
    const raw = openRaw(older)
    raw.pragma('page_size = 4096')
    raw.pragma('journal_mode = WAL')
    raw.exec('CREATE TABLE unrelated (x)')
    raw.exec('DROP TABLE unrelated')
    raw.close()
    const reopened = openStore({ path: older, logger: silentLogger })
    reopened.record(makeExchange(reopened.nextId()))
    reopened.close()

    const pageSize = (file: string) => {
      const db = openRaw(file)
      const size = db.pragma('page_size', { simple: true })
      db.close()
      return size
    }
    expect(pageSize(temp.file)).toBe(PAGE_SIZE)
    expect(pageSize(older)).toBe(4096)
  })

  it('keeps the rows of an existing log when opened again', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    store.record(makeExchange(store.nextId()))
    store.close()

    const reopened = openStore({ path: temp.file, logger: silentLogger })
    const count = reopened.count()
    reopened.close()

    expect(count).toBe(1)
  })

  it('indexes only rows with a session or a replay link, and still finds a session through it', () => {
    const db = openRaw(temp.file)
    applyMigrations(db, temp.file, MIGRATIONS.slice(0, 3))
    db.close()
    const store = openStore({ path: temp.file, logger: silentLogger })
    for (let index = 0; index < 20; index++) store.record(makeExchange(store.nextId()))
    store.record(makeExchange(store.nextId(), { session: 'import-1', replayOf: 3 }))
    store.record(makeExchange(store.nextId(), { session: 'import-1' }))
    store.flush()
    const found = store.list({ session: 'import-1' }).items.map((item) => item.id)
    store.close()

    const raw = openRaw(temp.file)
    const indexed = (index: string, column: string) =>
      raw
        .prepare(`SELECT count(*) FROM exchanges INDEXED BY ${index} WHERE ${column} IS NOT NULL`)
        .pluck()
        .get()
    const plan = raw
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM exchanges WHERE session = 'import-1' ORDER BY id DESC",
      )
      .all() as { detail: string }[]
    const counts = [
      indexed('exchanges_session', 'session'),
      indexed('exchanges_replay_of', 'replay_of'),
    ]
    const definitions = raw
      .prepare(
        "SELECT sql FROM sqlite_master WHERE name IN ('exchanges_session', 'exchanges_replay_of')",
      )
      .pluck()
      .all()
    raw.close()

    expect(found).toEqual([22, 21])
    expect(counts).toEqual([2, 1])
    expect(definitions).toEqual([
      expect.stringContaining('WHERE session IS NOT NULL'),
      expect.stringContaining('WHERE replay_of IS NOT NULL'),
    ])
    expect(plan.map((step) => step.detail).join(' ')).toContain('exchanges_session')
  })

  it('refuses a log whose recorded migration hash differs, naming the file', () => {
    openStore({ path: temp.file, logger: silentLogger }).close()
    const db = openRaw(temp.file)
    db.prepare("UPDATE migrations SET hash = 'tampered' WHERE version = 1").run()
    db.close()

    const error = catchError(() => openStore({ path: temp.file, logger: silentLogger }))

    expect(error).toBeInstanceOf(TollgateError)
    expect((error as TollgateError).code).toBe('DB_UNAVAILABLE')
    expect((error as TollgateError).message).toContain(temp.file)
    expect((error as TollgateError).message).toMatch(/different hash/)
  })

  it('refuses a log written by a newer Tollgate', () => {
    openStore({ path: temp.file, logger: silentLogger }).close()
    const db = openRaw(temp.file)
    db.prepare(
      "INSERT INTO migrations (version, name, hash, applied_at) VALUES (999, 'from-the-future', 'x', 0)",
    ).run()
    db.close()

    const error = catchError(() => openStore({ path: temp.file, logger: silentLogger }))

    expect((error as TollgateError).code).toBe('DB_UNAVAILABLE')
    expect((error as TollgateError).message).toMatch(/newer Tollgate.*999/)
  })

  it('moves a file that is not a SQLite database aside, naming both paths, and starts anew', () => {
    const text = 'this is a text file, not a database'.repeat(200)
    fs.writeFileSync(temp.file, text)
    const logger = makeRecordingLogger()

    const store = openStore({ path: temp.file, logger })
    store.close()

    const aside = fs.readdirSync(temp.dir).find((name) => name.includes('.damaged-'))!
    expect(fs.readFileSync(`${temp.dir}/${aside}`, 'utf8')).toBe(text)
    const warning = logger.lines.find((line) => line.startsWith('warn'))
    expect(warning).toContain(temp.file)
    expect(warning).toContain(aside)
  })

  it('applies only the migrations a file lacks, in order', () => {
    const db = openRaw(temp.file)
    const first = { version: 1, name: 'one', sql: 'CREATE TABLE one (a INTEGER);' }
    const second = { version: 2, name: 'two', sql: 'ALTER TABLE one ADD COLUMN b TEXT;' }
    applyMigrations(db, temp.file, [first])

    const { applied } = applyMigrations(db, temp.file, [first, second])
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('one')
    db.close()

    expect(applied).toEqual([2])
    expect(columns).toEqual(['a', 'b'])
  })

  it('rolls back every migration of a run when one fails', () => {
    const db = openRaw(temp.file)
    const good = { version: 1, name: 'good', sql: 'CREATE TABLE good (a INTEGER);' }
    const bad = { version: 2, name: 'bad', sql: 'CREATE TABLE broken (' }

    const error = catchError(() => applyMigrations(db, temp.file, [good, bad]))
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()
    db.close()

    expect(error).toBeInstanceOf(Error)
    expect(tables).not.toContain('good')
  })
})
