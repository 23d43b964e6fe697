/**
 * The traffic log: one queue of pending writes, a writer that commits them in batches off the
 * proxy's thread, reads on a connection of the store's own, and recovery when the file becomes
 * unwritable, is deleted or is replaced.
 */

import { performance } from 'node:perf_hooks'
import { TollgateError } from '../../../shared/errors'
import { copyToPost, readOutcome, type PreparedBatch } from './batch-writer'
import {
  MEMORY,
  connectionPragmas,
  hasMoved,
  isDamaged,
  lockLog,
  moveAside,
  openConnection,
  type Connection,
} from './connection'
import { keepForInsert, PendingBatches } from './pending-batches'
import { createReader, type Reader } from './queries'
import { createRetention, limitsLog } from './retention'
import { createRecordedEvents } from './recorded-events'
import type { BatchOutcome, TrimRun, WriterError, WriterReply } from './sql-writer.js'
import type { Store, StoreOptions } from './types'
import {
  createInlineWriter,
  locateWriterWorker,
  startWriterThread,
  type WriterChannel,
} from './writer-channel'

const RETRY_INTERVAL_MS = 1_000
/** How long a flush waits for the writer before it reports the log unwritable and returns. */
const WRITER_TIMEOUT_MS = 10_000

/** Everything prepared against one open file; replaced as a whole when the file is reopened. */
interface Handle {
  connection: Connection
  reader: Reader
}

/** The one task the writer has in hand, with what the store needs to act on its answer. */
type Job =
  | { type: 'write'; seq: number; prepared: PreparedBatch }
  | { type: 'trim'; seq: number }
  | { type: 'clear'; seq: number; error?: WriterError }

/**
 * Opens (creating and migrating when needed) the traffic log at `options.path`. Throws a
 * TollgateError `DB_UNAVAILABLE` when the file cannot be used; once open, writes never throw.
 */
export function openStore(options: StoreOptions): Store {
  const file = options.path
  const logger = options.logger
  const flushIntervalMs = options.flushIntervalMs ?? 10
  const maxBatch = Math.max(1, options.maxBatch ?? 500)
  const maxPending = Math.max(maxBatch, options.maxPending ?? 50_000)
  const clock = options.clock ?? Date.now
  const retentionIntervalMs = options.retentionIntervalMs ?? 2_000
  const connectionOptions = {
    nativeBinding: options.nativeBinding,
    busyTimeoutMs: options.busyTimeoutMs ?? 100,
  }

  let lastId = 0
  // Counts openings of the file, so the writer thread knows when to open it again too.
  let generation = 0
  const openHandle = (): Handle => {
    const connection = openConnection(file, connectionOptions)
    lastId = Math.max(lastId, connection.highestId)
    generation++
    return { connection, reader: createReader(connection.db) }
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

  const lock = file === MEMORY ? undefined : lockLog(file, options.nativeBinding)
  let handle: Handle | undefined
  try {
    handle = openFirstHandle()
  } catch (error) {
    lock?.close()
    throw error
  }
  logger.info(`traffic log at ${file}, next id ${lastId + 1}`)

  const queue = new PendingBatches(maxBatch)
  const events = createRecordedEvents(logger)
  const warned = new Set<string>()
  const rejectionsWarned = new Set<string>()
  let writer: WriterChannel | undefined
  let job: Job | undefined
  let timer: NodeJS.Timeout | undefined
  let immediate: NodeJS.Immediate | undefined
  let flushing = false
  let closed = false
  let writable = true
  let lastError: string | undefined
  let dropped = 0
  let rejected = 0
  let lastRetentionAt = -Infinity
  // Set when the writer found the file moved away under it.
  let moved = false

  const warnOnce = (message: string) => {
    if (warned.has(message)) return
    warned.add(message)
    logger.warn(message)
  }

  const fail = (error: unknown) => {
    writable = false
    lastError = (error as { message?: string } | undefined)?.message ?? String(error)
    warnOnce(
      `cannot write the traffic log ${file}: ${lastError}; keeping unwritten exchanges in memory and retrying`,
    )
  }

  // The file may have been deleted or swapped since the last write; SQLite in WAL mode would keep
  // writing to the orphaned copy, so the store checks itself and opens whatever is there now.
  const ensureHandle = (): Handle | undefined => {
    if (handle && !moved && !hasMoved(handle.connection, file)) return handle

    if (handle) {
      warnOnce(`the traffic log ${file} was deleted or replaced; opening the file now at that path`)
      // The new file's WAL and shared memory take the same names as the old one's: every
      // connection to the old file closes before the new one opens.
      releaseFile()
      handle.connection.db.close()
      handle = undefined
      moved = false
    }
    try {
      handle = openHandle()
    } catch (error) {
      fail(error)
    }
    return handle
  }

  // Started on the first write, so a store opened only to read never starts a thread.
  const startWriter = (): WriterChannel => {
    if (writer) return writer
    const script = file === MEMORY ? undefined : locateWriterWorker()
    if (file !== MEMORY && !script) {
      logger.warn(
        `the writer thread's script is missing from this build; writing ${file} on the proxy's thread`,
      )
    }
    writer = script
      ? startWriterThread(script, {
          file,
          nativeBinding: options.nativeBinding,
          pragmas: connectionPragmas(connectionOptions.busyTimeoutMs),
          onReply,
        })
      : createInlineWriter(() => readHandle().connection.db, onReply)
    return writer
  }

  const releaseFile = () => {
    if (!writer || file === MEMORY) return
    awaitJob()
    writer.settle(writer.post({ type: 'close' }, generation), WRITER_TIMEOUT_MS)
  }

  const cancelTimers = () => {
    if (timer) clearTimeout(timer)
    if (immediate) clearImmediate(immediate)
    timer = undefined
    immediate = undefined
  }

  const scheduleFlush = (delayMs: number) => {
    if (timer || closed) return
    timer = setTimeout(writeNext, delayMs)
    timer.unref()
  }

  const postBatch = (): boolean => {
    if (!ensureHandle()) return false
    const prepared = queue.oldest()
    if (!prepared) return true
    const writer = startWriter()
    const { batch, transfer } = copyToPost(prepared.batch)
    job = {
      type: 'write',
      seq: writer.post({ type: 'write', batch }, generation, transfer),
      prepared,
    }
    return true
  }

  const startRetention = () => {
    const retention = options.retention
    if (!limitsLog(retention) || !handle) return
    if (performance.now() - lastRetentionAt < retentionIntervalMs) return

    lastRetentionAt = performance.now()
    const task = { type: 'trim', limits: retention, now: clock() } as const
    job = { type: 'trim', seq: startWriter().post(task, generation) }
  }

  const settleWrite = (done: Extract<Job, { type: 'write' }>, reply: WriterReply) => {
    if (reply.error) {
      fail(reply.error)
      // SQLite itself noticed the file is gone (rollback-journal mode): reopen on the next try.
      if (reply.error.code === 'SQLITE_READONLY_DBMOVED') moved = true
      return
    }

    queue.remove(done.prepared)
    if (!writable) {
      logger.info(`writing the traffic log ${file} again`)
      writable = true
      lastError = undefined
      warned.clear()
    }

    const result = readOutcome(done.prepared, reply.result as BatchOutcome)
    for (const { id, error } of result.rejected) {
      rejected++
      if (rejectionsWarned.has(error.message)) continue
      rejectionsWarned.add(error.message)
      logger.warn(
        `exchange ${id} could not be logged: ${error.message} (later ones failing alike are only counted)`,
      )
    }
    events.emit(result, handle?.reader)
  }

  const settleTrim = (reply: WriterReply) => {
    if (reply.error) return warnOnce(`cannot trim the traffic log ${file}: ${reply.error.message}`)
    const run = reply.result as TrimRun
    if (run.byAge + run.byRows > 0) {
      logger.debug(`retention removed ${run.byAge} exchanges by age, ${run.byRows} by count`)
    }
    // Behind: take the next chunk soon, even if no traffic arrives to cause a write.
    if (run.more) {
      lastRetentionAt = -Infinity
      scheduleFlush(flushIntervalMs)
    }
  }

  // Rows past the bound go oldest first, a whole batch at a time, never the batch the writer has
  // in hand.
  const enforceBound = () => {
    if (queue.size <= maxPending || job?.type === 'write') return
    dropped += queue.dropOldest(maxPending)
    warnOnce(
      `more than ${maxPending} exchanges are waiting for the traffic log ${file}; dropping the oldest`,
    )
  }

  function onReply(reply: WriterReply): void {
    if (!job || reply.seq !== job.seq) return
    const done = job
    job = undefined
    if (done.type === 'write') settleWrite(done, reply)
    if (done.type === 'trim') settleTrim(reply)
    if (done.type === 'clear') done.error = reply.error
    enforceBound()

    // A flush in progress decides what comes next itself.
    if (flushing || closed) return
    if (queue.size >= maxBatch && writable) writeNext()
    else if (queue.size > 0) scheduleFlush(writable ? flushIntervalMs : RETRY_INTERVAL_MS)
    else if (writable) startRetention()
  }

  /** Hands the writer its next task, on a timer or once a batch is full; never waits. */
  function writeNext(): void {
    cancelTimers()
    if (closed || flushing || job) return
    if (queue.size === 0) {
      if (writable) startRetention()
      return
    }
    if (!postBatch()) scheduleFlush(Math.max(flushIntervalMs, RETRY_INTERVAL_MS))
  }

  /** Waits for the writer's answer to the job in hand; false when it did not come in time. */
  function awaitJob(): boolean {
    if (!job || !writer) return true
    if (writer.settle(job.seq, WRITER_TIMEOUT_MS)) return true
    fail(new Error(`the writer has not answered for ${WRITER_TIMEOUT_MS / 1000} s`))
    return false
  }

  function flush(): void {
    if (closed || flushing) return
    flushing = true
    cancelTimers()

    try {
      // Writes apply in order: the batch already on its way goes first.
      if (!awaitJob()) return
      while (queue.size > 0) {
        if (!postBatch() || !awaitJob() || !writable) break
      }
      if (writable) {
        startRetention()
        awaitJob()
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

  trimAtOpen(handle)

  // Before any writer exists, the store's own connection is the only one: trim there, at once.
  function trimAtOpen(current: Handle) {
    if (!limitsLog(options.retention)) return
    lastRetentionAt = performance.now()
    try {
      const run = createRetention(current.connection.db).enforce(options.retention, clock())
      if (run.more) {
        lastRetentionAt = -Infinity
        scheduleFlush(flushIntervalMs)
      }
    } catch (error) {
      warnOnce(`cannot trim the traffic log ${file}: ${(error as Error).message}`)
    }
  }

  return {
    nextId: () => ++lastId,

    record(exchange) {
      if (closed) {
        warnOnce(`exchanges recorded after the traffic log ${file} was closed are not kept`)
        return
      }
      if (exchange.id > lastId) lastId = exchange.id
      queue.push({ type: 'insert', exchange: keepForInsert(exchange) }, events.listening())
      if (queue.size > maxPending) enforceBound()

      // A full batch goes to the writer on the next turn of the event loop, never inside the
      // caller.
      if (queue.size >= maxBatch && writable && !immediate) {
        immediate = setImmediate(writeNext)
        immediate.unref()
      }
      scheduleFlush(flushIntervalMs)
    },

    update(id, patch) {
      if (closed) return
      queue.push({ type: 'update', id, patch }, false)
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
      writer?.close(WRITER_TIMEOUT_MS)
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

    onRecorded: (listener) => events.listen(listener),

    get: (id) => readHandle().reader.get(id),
    list: (query = {}) => readHandle().reader.list(query),
    count: (filter = {}) => readHandle().reader.count(filter),
    budgetSeries: (bucket, sinceMs) => readHandle().reader.budgetSeries(bucket, sinceMs),

    clear() {
      readHandle()
      // A batch on its way would land after the delete; it goes first.
      awaitJob()
      queue.clear()
      const cleared: Job = { type: 'clear', seq: startWriter().post({ type: 'clear' }, generation) }
      job = cleared
      if (!awaitJob() || cleared.error) {
        const reason = cleared.error?.message ?? lastError
        throw new TollgateError('DB_UNAVAILABLE', `Cannot clear the traffic log ${file}: ${reason}`)
      }
      logger.info(`cleared the traffic log ${file}`)
    },
  }
}
