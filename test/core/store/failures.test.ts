import fs from 'node:fs'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CorsVerdict } from '../../../shared/exchange'
import { openStore } from '../../../electron/core/store'
import { makeExchange, makeRecordingLogger, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

function deleteLogFiles(file: string) {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true })
}

// These failures are real for root too: file permissions would not stop root, but a path that
// is a directory cannot be opened by anyone, and a write lock held by another connection blocks
// every writer.
describe('when the log cannot be written', () => {
  it('keeps pending rows while the deleted file cannot be recreated, then writes them', () => {
    const logger = makeRecordingLogger()
    const store = openStore({ path: temp.file, logger })
    store.record(makeExchange(store.nextId()))
    store.flush()
    deleteLogFiles(temp.file)
    fs.mkdirSync(temp.file)

    store.record(makeExchange(store.nextId()))
    store.record(makeExchange(store.nextId()))
    store.flush()
    store.flush()
    const failing = store.status()
    const warnings = logger.lines.filter((line) => line.startsWith('warn cannot write'))
    fs.rmdirSync(temp.file)
    store.flush()
    const recovered = store.status()
    const stored = store.list().items.map((item) => item.id)
    store.close()

    expect(failing.writable).toBe(false)
    expect(failing.pending).toBe(2)
    expect(failing.lastError).toContain(temp.file)
    expect(warnings).toHaveLength(1)
    expect(recovered).toMatchObject({ writable: true, pending: 0, dropped: 0 })
    expect(recovered.lastError).toBeUndefined()
    expect(stored).toEqual([3, 2])
  })

  it('starts a new file when the log is deleted, instead of writing to the orphaned one', () => {
    const logger = makeRecordingLogger()
    const store = openStore({ path: temp.file, logger })
    store.record(makeExchange(store.nextId()))
    store.flush()
    fs.rmSync(temp.file)

    store.record(makeExchange(store.nextId()))
    store.flush()
    store.close()
    const db = new Database(temp.file, { readonly: true })
    const stored = db.prepare('SELECT id FROM exchanges').pluck().all()
    db.close()

    expect(stored).toEqual([2])
    expect(logger.lines.some((line) => line.includes('was deleted or replaced'))).toBe(true)
  })

  it('keeps pending rows while another connection holds the write lock, then writes them', () => {
    const store = openStore({ path: temp.file, logger: makeRecordingLogger(), busyTimeoutMs: 10 })
    const other = new Database(temp.file)
    other.exec('BEGIN IMMEDIATE')

    store.record(makeExchange(store.nextId()))
    store.flush()
    const failing = store.status()
    other.exec('ROLLBACK')
    other.close()
    store.flush()
    const recovered = store.status()
    const count = store.count()
    store.close()

    expect(failing).toMatchObject({ writable: false, pending: 1, lastError: 'database is locked' })
    expect(recovered).toMatchObject({ writable: true, pending: 0 })
    expect(count).toBe(1)
  })

  it('drops the oldest pending rows beyond the bound, a whole batch at a time, and counts them', () => {
    const store = openStore({
      path: temp.file,
      logger: makeRecordingLogger(),
      busyTimeoutMs: 10,
      maxBatch: 100,
      maxPending: 600,
    })
    const other = new Database(temp.file)
    other.exec('BEGIN IMMEDIATE')
    store.flush()

    for (let index = 0; index < 1030; index++) store.record(makeExchange(store.nextId()))
    const failing = store.status()
    other.exec('ROLLBACK')
    other.close()
    store.flush()
    const ids = store.list({ limit: 1000 }).items.map((item) => item.id)
    store.close()

    expect(failing).toMatchObject({ pending: 530, dropped: 500 })
    expect(ids).toHaveLength(530)
    expect(Math.min(...ids)).toBe(501)
    expect(Math.max(...ids)).toBe(1030)
  })

  it('skips a row SQLite refuses and writes the rest of its batch', () => {
    const logger = makeRecordingLogger()
    const store = openStore({ path: temp.file, logger })
    const circular = { outcome: 'allowed', warnings: [] } as unknown as CorsVerdict & {
      self?: unknown
    }
    circular.self = circular

    store.record(makeExchange(1))
    store.record(makeExchange(1, { url: '/duplicate' }))
    store.record(makeExchange(2, { cors: circular }))
    store.record(makeExchange(3))
    store.flush()
    const status = store.status()
    const stored = store.list().items.map((item) => item.url)
    store.close()

    expect(status).toMatchObject({ writable: true, pending: 0, rejected: 2 })
    expect(stored).toEqual(['/items/3', '/items/1'])
    expect(logger.lines.filter((line) => line.includes('could not be logged'))).toHaveLength(2)
  })

  it('reports unsaved rows when closed while the file is unwritable, without throwing', () => {
    const logger = makeRecordingLogger()
    const store = openStore({ path: temp.file, logger })
    deleteLogFiles(temp.file)
    fs.mkdirSync(temp.file)
    store.record(makeExchange(store.nextId()))

    store.close()

    expect(logger.lines.some((line) => line.startsWith('error closing the traffic log'))).toBe(true)
  })
})
