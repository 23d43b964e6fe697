import fs from 'node:fs'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { call, callRaw, startControlled, type ControlledTollgate } from '../core/control/helpers'
import { eventually, send } from '../support/servers'

let stop: (() => Promise<void>) | undefined

afterEach(async () => {
  await stop?.()
  stop = undefined
})

async function startWithControl(): Promise<ControlledTollgate> {
  const started = await startControlled({ rateLimit: { limit: 100_000 } })
  stop = started.stop
  return started.tollgate
}

async function sendBatch(tollgate: ControlledTollgate, prefix: string, count: number) {
  const statuses: number[] = []
  for (let index = 0; index < count; index++) {
    statuses.push((await send(tollgate.url, { path: `/${prefix}/${index}` })).status)
  }
  return statuses
}

/** Waits for the store's own timer to find the file unwritable, or writable and caught up. */
async function waitForLogging(tollgate: ControlledTollgate, writable: boolean) {
  await eventually(() => {
    const status = tollgate.store.status()
    return status.writable === writable && (!writable || status.pending === 0)
  }, 10_000)
}

describe('a traffic log that becomes unwritable under a running Tollgate', () => {
  it('keeps forwarding while the file is replaced by a directory, says why, and logs again after', async () => {
    const tollgate = await startWithControl()
    await sendBatch(tollgate, 'before', 3)
    tollgate.store.flush()
    fs.rmSync(tollgate.dbPath)
    fs.mkdirSync(tollgate.dbPath)

    const during = await sendBatch(tollgate, 'during', 5)
    await waitForLogging(tollgate, false)
    const stopped = await call(tollgate.control, 'status.get', {})
    const list = await callRaw(tollgate.control.url, 'traffic.list', {}, [
      'Authorization',
      `Bearer ${tollgate.control.token}`,
    ])
    fs.rmdirSync(tollgate.dbPath)
    await waitForLogging(tollgate, true)
    const resumed = await call(tollgate.control, 'status.get', {})
    const after = await sendBatch(tollgate, 'after', 2)
    tollgate.store.flush()

    expect(during).toEqual([200, 200, 200, 200, 200])
    expect(after).toEqual([200, 200])
    expect(stopped.body.logging).toMatchObject({ writable: false, pending: 5, dropped: 0 })
    expect(stopped.body.logging.lastError).toContain(tollgate.dbPath)
    expect(list.status).toBe(503)
    expect(list.body.error.code).toBe('DB_UNAVAILABLE')
    expect(resumed.body.logging).toMatchObject({ writable: true, pending: 0 })
    expect(resumed.body.logging.lastError).toBeUndefined()
    const urls = tollgate.store.list({ limit: 100 }).items.map((row) => row.url)
    expect(urls.sort()).toEqual([
      '/after/0',
      '/after/1',
      '/during/0',
      '/during/1',
      '/during/2',
      '/during/3',
      '/during/4',
    ])
  })

  it('keeps forwarding while another connection holds the write lock, and writes everything after', async () => {
    const tollgate = await startWithControl()
    await sendBatch(tollgate, 'before', 3)
    tollgate.store.flush()
    const other = new Database(tollgate.dbPath)
    other.exec('BEGIN IMMEDIATE')

    const during = await sendBatch(tollgate, 'during', 5)
    await waitForLogging(tollgate, false)
    const stopped = await call(tollgate.control, 'status.get', {})
    other.exec('ROLLBACK')
    other.close()
    await waitForLogging(tollgate, true)
    const resumed = await call(tollgate.control, 'status.get', {})

    expect(during).toEqual([200, 200, 200, 200, 200])
    expect(stopped.body.logging).toMatchObject({ writable: false, pending: 5 })
    expect(stopped.body.logging.lastError).toMatch(/locked|busy/i)
    expect(resumed.body.logging).toMatchObject({ writable: true, pending: 0, dropped: 0 })
    expect(tollgate.store.count()).toBe(8)
  })
})
