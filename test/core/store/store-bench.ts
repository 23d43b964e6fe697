/**
 * How fast the traffic log takes exchanges: the cost of `record()` on the proxy's path, and rows
 * per second the writer commits in batches. Run from a test runner or any TypeScript-aware loader.
 */

import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { silentLogger } from '../../../electron/core/logger'
import { openStore, type LoggedExchange } from '../../../electron/core/store'
import { makeExchange, makeTempDir } from './helpers'

export interface StoreBenchReport {
  nsPerRecord: number
  /** Rows committed per second, 1 KiB request and response bodies, by batch size. */
  insertsPerSecond: { batch: number; rows: number; perSecond: number }[]
  /** The same with a row limit that deletes as much as is inserted on every flush. */
  insertsPerSecondWithRetention: number
  /** Recording at a steady rate with the default timer-driven writer and retention. */
  sustained?: SustainedLoad
  /** Reads over the filled log, in milliseconds. */
  readMs: { listFirstPage: number; listByKey: number; textSearch: number; count: number }
}

export interface SustainedLoad {
  perSecond: number
  seconds: number
  /** Share of the main thread that was busy, exchange creation included. */
  eventLoopUtilization: number
  /** The longest the event loop was held up, in milliseconds. */
  maxDelayMs: number
  p99DelayMs: number
}

const BODY = Buffer.alloc(1024, 'x')

function makeBenchExchange(id: number): LoggedExchange {
  return makeExchange(id, {
    keyHash: `hash-${id % 50}`,
    keyMasked: 'sk_live_…9f2c',
    origin: 'http://localhost:3000',
    requestHeaders: [
      ['Host', 'localhost:8787'],
      ['Authorization', 'Bearer sk_live_…9f2c'],
      ['Content-Type', 'application/json'],
      ['Origin', 'http://localhost:3000'],
    ],
    requestBody: BODY,
    requestBodySize: BODY.length,
    responseBody: BODY,
    responseBodySize: BODY.length,
    rateLimit: {
      bucket: `key hash-${id % 50}`,
      allowed: true,
      limit: 60,
      windowMs: 60_000,
      remaining: id % 60,
      resetAt: 1_767_225_660_000,
      enforced: true,
    },
    cors: { outcome: 'allowed', warnings: [] },
  })
}

function time(action: () => void): number {
  const start = performance.now()
  action()
  return performance.now() - start
}

function measureRecord(count: number): number {
  const temp = makeTempDir()
  const store = openStore({
    path: temp.file,
    logger: silentLogger,
    flushIntervalMs: 3_600_000,
    maxBatch: count + 1,
    maxPending: count + 1,
  })
  const exchanges = Array.from({ length: count }, (_, index) => makeBenchExchange(index + 1))

  const elapsed = time(() => {
    for (const exchange of exchanges) store.record(exchange)
  })
  store.close()
  temp.remove()
  return (elapsed * 1e6) / count
}

function measureInserts(rows: number, batch: number, maxRows = 0) {
  const temp = makeTempDir()
  const store = openStore({
    path: temp.file,
    logger: silentLogger,
    flushIntervalMs: 3_600_000,
    maxBatch: batch,
    maxPending: rows + 1,
    retention: { maxRows, maxAgeMs: 0 },
    retentionIntervalMs: 0,
  })

  let elapsed = 0
  let id = 0
  while (id < rows) {
    for (let index = 0; index < batch && id < rows; index++) store.record(makeBenchExchange(++id))
    elapsed += time(() => store.flush())
  }
  return { store, temp, perSecond: Math.round(rows / (elapsed / 1000)) }
}

/** Runs every measurement; takes a few seconds. */
export function runStoreBench(rows = 50_000): StoreBenchReport {
  const nsPerRecord = measureRecord(rows)

  const insertsPerSecond = [100, 500, 2000].map((batch) => {
    const { store, temp, perSecond } = measureInserts(rows, batch)
    store.close()
    temp.remove()
    return { batch, rows, perSecond }
  })

  const retained = measureInserts(rows, 500, 10_000)
  retained.store.close()
  retained.temp.remove()

  const { store, temp } = measureInserts(rows, 500)
  const readMs = {
    listFirstPage: time(() => store.list()),
    listByKey: time(() => store.list({ keyHash: 'hash-7' })),
    textSearch: time(() => store.list({ text: 'not-present-anywhere' })),
    count: time(() => store.count({ status: '2xx' })),
  }
  store.close()
  temp.remove()

  return {
    nsPerRecord,
    insertsPerSecond,
    insertsPerSecondWithRetention: retained.perSecond,
    readMs,
  }
}

/** Records `perSecond` exchanges a second, in 10 ms ticks, into a log trimmed to 20 000 rows. */
export async function measureSustained(perSecond = 6_000, seconds = 5): Promise<SustainedLoad> {
  const temp = makeTempDir()
  const store = openStore({
    path: temp.file,
    logger: silentLogger,
    retention: { maxRows: 20_000, maxAgeMs: 0 },
  })
  const perTick = perSecond / 100
  const exchanges = Array.from({ length: perSecond * seconds }, (_, index) =>
    makeBenchExchange(index + 1),
  )
  const delay = monitorEventLoopDelay({ resolution: 1 })

  delay.enable()
  const before = performance.eventLoopUtilization()
  let next = 0
  await new Promise<void>((resolve) => {
    const ticker = setInterval(() => {
      for (let index = 0; index < perTick && next < exchanges.length; index++) {
        store.record(exchanges[next++] as LoggedExchange)
      }
      if (next < exchanges.length) return
      clearInterval(ticker)
      resolve()
    }, 10)
  })
  const utilization = performance.eventLoopUtilization(before).utilization
  delay.disable()

  store.close()
  temp.remove()
  return {
    perSecond,
    seconds,
    eventLoopUtilization: Math.round(utilization * 1000) / 1000,
    maxDelayMs: Math.round(delay.max / 1e5) / 10,
    p99DelayMs: Math.round(delay.percentile(99) / 1e5) / 10,
  }
}
