/**
 * The traffic log's writer side: one queue, one batching writer on a timer, and recovery when the
 * file becomes unwritable, is deleted or is replaced.
 */

import { performance } from 'node:perf_hooks'
import { TollgateError } from '../../../shared/errors'
import { createBatchWriter, type BatchResult, type BatchWriter } from './batch-writer'
import {
  MEMORY,
  hasMoved,
  isDamaged,
  lockLog,
  moveAside,
  openConnection,
  type Connection,
} from './connection'
import { PendingQueue } from './pending-queue'
import { createReader, type Reader } from './queries'
import { createRetention, type Retention } from './retention'
import { toSummary } from './rows'
import type { LoggedSummary, Store, StoreOptions } from './types'

const RETRY_INTERVAL_MS = 1_000

/** Everything prepared against one open file; replaced as a whole when the file is reopened. */
interface Handle {
  connection: Connection
  writer: BatchWriter
  reader: Reader
  retention: Retention
}

/**
 * Opens (creating and migrating when needed) the traffic log at `options.path`. Throws a
 * TollgateError `DB_UNAVAILABLE` when the file cannot be used; once open, writes never throw.
 */
export function openStore(options: StoreOptions): Store {
  const file = options.path
  const logger = options.logger
  const flushIntervalMs = options.flushIntervalMs ?? 50
  const maxBatch = Math.max(1, options.maxBatch ?? 500)
  const maxPending = Math.max(maxBatch, options.maxPending ?? 50_000)
  const clock = options.clock ?? Date.now
  const retentionIntervalMs = options.retentionIntervalMs ?? 2_000
  const connectionOptions = {
    nativeBinding: options.nativeBinding,
    busyTimeoutMs: options.busyTimeoutMs ?? 100,
  }

  const openHandle = (): Handle => {
    const connection = openConnection(file, connectionOptions)
    const { db } = connection
    lastId = Math.max(lastId, connection.highestId)
    return {
      connection,
      writer: createBatchWriter(db),
      reader: createReader(db),
      retention: createRetention(db),
    }
  }

  // A file that is not a database any more is kept for the user, never emptied in place.
  const openFirstHandle = (): Handle => {
    try {
      return openHandle()
    } catch (error) {
      if (!isDamaged(error)) throw error
      const aside = moveAside(file)
      logger.warn(
        `the traffic log ${file} is damaged (${(error as { cause?: Error }).cause?.message}); moved it to ${aside} and started a new log at ${file}`,
      )
      return openHandle()
    }
  }

  let lastId = 0
  const lock = file === MEMORY ? undefined : lockLog(file, options.nativeBinding)
  let handle: Handle | undefined
  try {
    handle = openFirstHandle()
  } catch (error) {
    lock?.close()
    throw error
  }
  logger.info(`traffic log at ${file}, next id ${lastId + 1}`)

  const queue = new PendingQueue()
  const listeners = new Set<(summaries: LoggedSummary[]) => void>()
  const warned = new Set<string>()
  const rejectionsWarned = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let immediate: NodeJS.Immediate | undefined
  let flushing = false
  let closed = false
  let writable = true
  let lastError: string | undefined
  let dropped = 0
  let rejected = 0
  let lastRetentionAt = -Infinity

  const warnOnce = (message: string) => {
    if (warned.has(message)) return
    warned.add(message)
    logger.warn(message)
  }

  const fail = (error: unknown) => {
    writable = false
    lastError = error instanceof Error ? error.message : String(error)
    warnOnce(
      `cannot write the traffic log ${file}: ${lastError}; keeping unwritten exchanges in memory and retrying`,
    )
  }

  // The file may have been deleted or swapped since the last write; SQLite in WAL mode would keep
  // writing to the orphaned copy, so the store checks itself and opens whatever is there now.
  const ensureHandle = (): Handle | undefined => {
    if (handle && !hasMoved(handle.connection, file)) return handle

    if (handle) {
      warnOnce(`the traffic log ${file} was deleted or replaced; opening the file now at that path`)
      handle.connection.db.close()
      handle = undefined
    }
    try {
      handle = openHandle()
    } catch (error) {
      fail(error)
    }
    return handle
  }

  const cancelTimers = () => {
    if (timer) clearTimeout(timer)
    if (immediate) clearImmediate(immediate)
    timer = undefined
    immediate = undefined
  }

  const scheduleFlush = (delayMs: number) => {
    if (timer || closed) return
    timer = setTimeout(flush, delayMs)
    timer.unref()
  }

  const emit = (current: Handle, result: BatchResult) => {
    if (listeners.size === 0) return

    const summaries = new Map<number, LoggedSummary>()
    for (const exchange of result.inserted) summaries.set(exchange.id, toSummary(exchange))
    // An update changes what the UI shows, so the row is sent again as it now reads.
    if (result.updated.size > 0) {
      for (const summary of current.reader.summaries([...result.updated])) {
        summaries.set(summary.id, summary)
      }
    }
    if (summaries.size === 0) return

    const batch = [...summaries.values()]
    for (const listener of listeners) {
      try {
        listener(batch)
      } catch (error) {
        logger.error(`a traffic log listener failed: ${(error as Error)?.message ?? error}`)
      }
    }
  }

  const writeBatch = (current: Handle): boolean => {
    const batch = queue.peek(maxBatch)
    let result: BatchResult
    try {
      result = current.writer.write(batch)
    } catch (error) {
      fail(error)
      // SQLite itself noticed the file is gone (rollback-journal mode): reopen on the next try.
      if ((error as { code?: string }).code === 'SQLITE_READONLY_DBMOVED') {
        current.connection.db.close()
        handle = undefined
      }
      return false
    }

    queue.drop(batch.length)
    if (!writable) {
      logger.info(`writing the traffic log ${file} again`)
      writable = true
      lastError = undefined
      warned.clear()
    }

    for (const { write, error } of result.rejected) {
      rejected++
      const id = write.type === 'insert' ? write.exchange.id : write.id
      if (rejectionsWarned.has(error.message)) continue
      rejectionsWarned.add(error.message)
      logger.warn(
        `exchange ${id} could not be logged: ${error.message} (later ones failing alike are only counted)`,
      )
    }
    emit(current, result)
    return true
  }

  const enforceRetention = (current: Handle) => {
    const retention = options.retention
    if (!retention || (retention.maxRows <= 0 && retention.maxAgeMs <= 0)) return
    if (performance.now() - lastRetentionAt < retentionIntervalMs) return

    lastRetentionAt = performance.now()
    try {
      const run = current.retention.enforce(retention, clock())
      if (run.byAge + run.byRows > 0) {
        logger.debug(`retention removed ${run.byAge} exchanges by age, ${run.byRows} by count`)
      }
      // Behind: take the next chunk on the next flush, even if no traffic arrives to cause one.
      if (run.more) {
        lastRetentionAt = -Infinity
        scheduleFlush(flushIntervalMs)
      }
    } catch (error) {
      warnOnce(`cannot trim the traffic log ${file}: ${(error as Error).message}`)
    }
  }

  function flush(): void {
    if (closed || flushing) return
    flushing = true
    cancelTimers()

    try {
      const current = queue.size > 0 ? ensureHandle() : handle
      if (current) {
        while (queue.size > 0 && writeBatch(current)) {}
        if (writable) enforceRetention(current)
      }
    } finally {
      flushing = false
    }

    // Retry a failing file at a gentler pace than the normal flush interval.
    if (queue.size > 0)
      scheduleFlush(writable ? flushIntervalMs : Math.max(flushIntervalMs, RETRY_INTERVAL_MS))
  }

  const readHandle = (): Handle => {
    if (closed) throw new TollgateError('DB_UNAVAILABLE', `The traffic log ${file} is closed.`)
    const current = handle ?? ensureHandle()
    if (!current) {
      throw new TollgateError(
        'DB_UNAVAILABLE',
        `The traffic log ${file} cannot be read: ${lastError}`,
      )
    }
    return current
  }

  enforceRetention(handle)

  return {
    nextId: () => ++lastId,

    record(exchange) {
      if (closed) {
        warnOnce(`exchanges recorded after the traffic log ${file} was closed are not kept`)
        return
      }
      if (exchange.id > lastId) lastId = exchange.id
      queue.push({ type: 'insert', exchange })

      if (queue.size > maxPending) {
        dropped += queue.drop(queue.size - maxPending)
        warnOnce(
          `more than ${maxPending} exchanges are waiting for the traffic log ${file}; dropping the oldest`,
        )
      }

      // A full batch is written on the next turn of the event loop, never inside the caller.
      if (queue.size >= maxBatch && writable && !immediate) {
        immediate = setImmediate(flush)
        immediate.unref()
      }
      scheduleFlush(flushIntervalMs)
    },

    update(id, patch) {
      if (closed) return
      queue.push({ type: 'update', id, patch })
      scheduleFlush(flushIntervalMs)
    },

    flush,

    close() {
      if (closed) return
      flush()
      cancelTimers()
      closed = true

      if (queue.size > 0) {
        logger.error(
          `closing the traffic log ${file} with ${queue.size} writes unsaved: ${lastError}`,
        )
      }
      if (handle) {
        try {
          if (file !== MEMORY) handle.connection.db.pragma('optimize')
        } catch {
          // Only a planner hint; closing matters more.
        }
        handle.connection.db.close()
        handle = undefined
      }
      lock?.close()
    },

    status: () => ({ writable, lastError, pending: queue.size, dropped, rejected }),

    onRecorded(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    get: (id) => readHandle().reader.get(id),
    list: (query = {}) => readHandle().reader.list(query),
    count: (filter = {}) => readHandle().reader.count(filter),
    budgetSeries: (bucket, sinceMs) => readHandle().reader.budgetSeries(bucket, sinceMs),

    clear() {
      const current = readHandle()
      queue.clear()
      current.connection.db.prepare('DELETE FROM exchanges').run()
      logger.info(`cleared the traffic log ${file}`)
    },
  }
}
