import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type LoggedSummary } from '../../../electron/core/store'
import { makeExchange, makeRecordingLogger, makeTempDir } from './helpers'

let temp: ReturnType<typeof makeTempDir>

beforeEach(() => {
  temp = makeTempDir()
})

afterEach(() => {
  temp.remove()
})

describe('exchanges waiting for the writer', () => {
  it('keep their own top-level fields, and copy a body that is a view into a larger buffer', () => {
    const store = openStore({ path: temp.file, logger: makeRecordingLogger() })
    const socketChunk = Buffer.from('xx{"id":1}yy')
    const exchange = makeExchange(store.nextId(), {
      responseBody: socketChunk.subarray(2, 10),
      requestHeaders: [['Host', 'localhost:8787']],
    })
    store.record(exchange)
    socketChunk.fill(0)
    exchange.url = '/changed'
    exchange.status = 500
    store.flush()
    const stored = store.get(exchange.id)
    store.close()

    expect(Buffer.from(stored?.responseBody ?? []).toString()).toBe('{"id":1}')
    expect(stored?.url).toBe('/items/1')
    expect(stored?.status).toBe(200)
    expect(stored?.requestHeaders).toEqual([['Host', 'localhost:8787']])
  })

  it('go to the writer again, whole and in order, after a failed write', () => {
    const store = openStore({
      path: temp.file,
      logger: makeRecordingLogger(),
      busyTimeoutMs: 10,
      maxBatch: 4,
    })
    const other = new Database(temp.file)
    other.exec('BEGIN IMMEDIATE')
    for (let index = 0; index < 10; index++) {
      store.record(makeExchange(store.nextId(), { url: `/first/${index}` }))
    }
    store.flush()
    const failing = store.status()
    for (let index = 0; index < 3; index++) {
      store.record(makeExchange(store.nextId(), { url: `/second/${index}` }))
    }
    other.exec('ROLLBACK')
    other.close()
    store.flush()
    const stored = store
      .list({ limit: 100 })
      .items.map((item) => [item.id, item.url])
      .reverse()
    const status = store.status()
    store.close()

    expect(failing).toMatchObject({ writable: false, pending: 10 })
    expect(status).toMatchObject({ writable: true, pending: 0, dropped: 0, rejected: 0 })
    expect(stored).toEqual([
      ...Array.from({ length: 10 }, (_, index) => [index + 1, `/first/${index}`]),
      ...Array.from({ length: 3 }, (_, index) => [index + 11, `/second/${index}`]),
    ])
  })

  it('include updates that set nothing, which are counted and then done with', () => {
    const store = openStore({ path: temp.file, logger: makeRecordingLogger() })
    store.record(makeExchange(store.nextId()))
    store.update(1, {})
    store.update(1, { unknown: 'field' } as never)
    const waiting = store.status().pending
    store.flush()
    const status = store.status()
    store.close()

    expect(waiting).toBe(3)
    expect(status).toMatchObject({ writable: true, pending: 0, rejected: 0 })
  })
})

describe('listeners', () => {
  it('hear of the exchanges recorded while they listen, and of every later change', () => {
    const store = openStore({ path: temp.file, logger: makeRecordingLogger() })
    store.record(makeExchange(store.nextId()))
    const heard: LoggedSummary[][] = []
    const stop = store.onRecorded((summaries) => heard.push(summaries))
    store.record(makeExchange(store.nextId(), { url: '/heard' }))
    store.update(1, { pairedId: 2 })
    store.flush()
    stop()
    store.record(makeExchange(store.nextId()))
    store.flush()
    store.close()

    const summaries = heard.flat()
    expect(summaries.map((summary) => [summary.id, summary.url, summary.pairedId])).toEqual([
      [2, '/heard', undefined],
      [1, '/items/1', 2],
    ])
    expect(summaries[0]).not.toHaveProperty('responseBody')
  })
})
