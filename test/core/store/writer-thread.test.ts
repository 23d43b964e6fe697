import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../electron/core/logger'
import { openStore, type LoggedSummary } from '../../../electron/core/store'
import { makeExchange, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe('the writer thread', () => {
  it('keeps the calling thread free while it waits for a locked file', async () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      busyTimeoutMs: 1_000,
      maxBatch: 10,
      flushIntervalMs: 60_000,
    })
    store.record(makeExchange(store.nextId()))
    store.flush()
    const other = new Database(temp.file)
    other.exec('BEGIN IMMEDIATE')

    for (let index = 0; index < 10; index++) store.record(makeExchange(store.nextId()))
    const start = performance.now()
    await nextTurn()
    await new Promise((resolve) => setTimeout(resolve, 20))
    const waitedMs = performance.now() - start
    const during = store.status()
    other.exec('ROLLBACK')
    other.close()
    store.flush()
    const count = store.count()
    store.close()

    expect(waitedMs).toBeLessThan(500)
    expect(during).toMatchObject({ writable: true, pending: 10 })
    expect(count).toBe(11)
  })

  it('waits in flush for the batch already on its way, and reports it once', async () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      maxBatch: 10,
      flushIntervalMs: 60_000,
    })
    const batches: LoggedSummary[][] = []
    store.onRecorded((summaries) => batches.push(summaries))

    for (let index = 0; index < 10; index++) store.record(makeExchange(store.nextId()))
    await nextTurn()
    store.flush()
    const status = store.status()
    const count = store.count()
    store.close()

    expect(status.pending).toBe(0)
    expect(count).toBe(10)
    expect(batches.map((batch) => batch.length)).toEqual([10])
  })

  it('clears rows that were on their way to the writer', async () => {
    const store = openStore({
      path: temp.file,
      logger: silentLogger,
      maxBatch: 10,
      flushIntervalMs: 60_000,
    })

    for (let index = 0; index < 10; index++) store.record(makeExchange(store.nextId()))
    await nextTurn()
    store.clear()
    store.flush()
    const count = store.count()
    store.close()

    expect(count).toBe(0)
  })

  it('stores bodies cut from larger buffers and unusual header text exactly', () => {
    const store = openStore({ path: temp.file, logger: silentLogger })
    const shared = Buffer.from('0123456789abcdefghij')
    const headers: [string, string][] = [
      ['X-Quote', 'a "quoted" \\ value'],
      ['X-Text', 'café ☕ \u0000 \ud800'],
      ['X-Empty', ''],
    ]

    store.record(
      makeExchange(1, {
        requestBody: shared.subarray(2, 5),
        responseBody: shared.subarray(10, 20),
        requestHeaders: headers,
        responseHeaders: [],
      }),
    )
    store.flush()
    const read = store.get(1)
    store.close()

    expect(read?.requestBody).toEqual(Buffer.from('234'))
    expect(read?.responseBody).toEqual(Buffer.from('abcdefghij'))
    expect(read?.requestHeaders).toEqual(headers)
    expect(read?.responseHeaders).toEqual([])
  })
})
