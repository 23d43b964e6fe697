// @ts-check
/**
 * What the traffic log's writer does to SQLite: run a batch of ready-to-bind writes in one
 * transaction, trim the log, empty it. Plain JavaScript so that the writer thread can load it as
 * it is (a worker cannot load TypeScript when the tests run the sources); the main thread uses it
 * too, for an in-memory log that no other thread can open. Types for TypeScript callers are in
 * sql-writer.d.ts beside it.
 */

/**
 * @typedef {import('better-sqlite3').Database} Database
 * @typedef {import('./sql-writer').BatchOutcome} BatchOutcome
 * @typedef {import('./sql-writer').EncodedBatch} EncodedBatch
 * @typedef {import('./sql-writer').TrimLimits} TrimLimits
 * @typedef {import('./sql-writer').TrimRun} TrimRun
 * @typedef {import('./sql-writer').WriterJob} WriterJob
 * @typedef {import('./sql-writer').WriterReply} WriterReply
 * @typedef {import('./sql-writer').WriterTask} WriterTask
 */

/** Rows one trim deletes at most; about 5 ms of work with 1 KiB bodies on a small VM. */
export const RETENTION_CHUNK = 1_000

/** The kinds of value an encoded batch carries, as `EncodedBatch.kinds` numbers them. */
export const VALUE_KIND = Object.freeze({
  NULL: 0,
  NUMBER: 1,
  TEXT: 2,
  WIDE_TEXT: 3,
  REPEAT: 4,
  BLOB: 5,
  OTHER: 6,
})

const DATA_ERRORS = ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE']

/**
 * True for errors caused by the written values themselves, which no retry would cure.
 * @param {unknown} error
 */
export function isDataError(error) {
  if (error instanceof TypeError || error instanceof RangeError) return true
  const code = /** @type {{ code?: unknown }} */ (error)?.code
  return typeof code === 'string' && DATA_ERRORS.some((prefix) => code.startsWith(prefix))
}

/**
 * An error as it can cross to another thread: its message and SQLite's code.
 * @param {unknown} error
 * @returns {import('./sql-writer').WriterError}
 */
export function describeError(error) {
  const code = /** @type {{ code?: unknown }} */ (error)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' ? { message, code } : { message }
}

/**
 * Runs the jobs of the writer's protocol against `db`, which holds a migrated log.
 * @param {Database} db
 * @param {number} [chunk] rows one trim deletes at most
 */
export function createJobRunner(db, chunk = RETENTION_CHUNK) {
  const write = createBatchRunner(db)
  const trim = createTrimmer(db, chunk)
  const clear = db.prepare('DELETE FROM exchanges')

  /** @param {WriterTask} task */
  return (task) => {
    if (task.type === 'write') return write(task.batch)
    if (task.type === 'trim') return trim(task.limits, task.now)
    if (task.type === 'clear') return void clear.run()
    return undefined
  }
}

/**
 * The answer to `job`: what `run` returned, or the error it threw.
 * @param {WriterJob} job
 * @param {(task: WriterTask) => WriterReply['result']} run
 * @returns {WriterReply}
 */
export function answerJob(job, run) {
  try {
    return { seq: job.seq, result: run(job) }
  } catch (error) {
    return { seq: job.seq, error: describeError(error) }
  }
}

/** @param {Database} db */
function createBatchRunner(db) {
  /** @type {Map<string, import('better-sqlite3').Statement>} */
  const prepared = new Map()
  /** @param {string} sql */
  const prepare = (sql) => {
    let statement = prepared.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      prepared.set(sql, statement)
    }
    return statement
  }

  /** @param {EncodedBatch} batch */
  const run = (batch) => {
    const statements = batch.statements.map(prepare)
    const values = createValueReader(batch)
    /** @type {BatchOutcome} */
    const outcome = { rejected: [] }
    for (let step = 0; step * 2 < batch.steps.length; step++) {
      const statement = /** @type {import('better-sqlite3').Statement} */ (
        statements[batch.steps[step * 2] ?? 0]
      )
      const bound = values.next(batch.steps[step * 2 + 1] ?? 0)
      // A failed statement undoes only itself, so the rest of the batch can still commit. Values
      // go as arguments: better-sqlite3 reads an array's elements one property lookup at a time.
      try {
        statement.run(...bound)
      } catch (error) {
        if (!isDataError(error)) throw error
        outcome.rejected.push({ step, ...describeError(error) })
      }
    }
    return outcome
  }

  const transaction = db.transaction(run)
  return (/** @type {EncodedBatch} */ batch) => transaction.immediate(batch)
}

/**
 * Takes a batch's values back out, one write's worth at a time: texts as substrings of the
 * batch's texts (or the previous write's text, when repeated), blobs as views of its bytes.
 * @param {EncodedBatch} batch
 */
function createValueReader(batch) {
  const { kinds, numbers, text, wideText, blobBytes, others } = batch
  let index = 0
  let textAt = 0
  let wideAt = 0
  let blobAt = 0
  let otherAt = 0
  /** @type {import('./sql-writer').Value[]} */
  let previous = []

  /** @param {number} at the value's place in its write */
  const read = (at) => {
    const kind = kinds[index]
    const number = numbers[index] ?? 0
    index++
    if (kind === VALUE_KIND.REPEAT) return previous[at] ?? null
    if (kind === VALUE_KIND.TEXT) return text.substring(textAt, (textAt += number))
    if (kind === VALUE_KIND.WIDE_TEXT) return wideText.substring(wideAt, (wideAt += number))
    if (kind === VALUE_KIND.NUMBER) return number
    if (kind === VALUE_KIND.BLOB) return blobBytes.subarray(blobAt, (blobAt += number))
    if (kind === VALUE_KIND.OTHER) return others[otherAt++] ?? null
    return null
  }

  return {
    /** @param {number} count */
    next(count) {
      /** @type {import('./sql-writer').Value[]} */
      const bound = new Array(count)
      for (let at = 0; at < count; at++) bound[at] = read(at)
      previous = bound
      return bound
    },
  }
}

/**
 * Keeps the log within its size and age, a bounded chunk at a time so that a large backlog never
 * holds the write lock for long.
 * @param {Database} db
 * @param {number} chunk
 */
export function createTrimmer(db, chunk) {
  // Both deletes walk an index from the oldest end and stop after what they remove.
  const deleteOlder = db.prepare(
    `DELETE FROM exchanges WHERE id IN
      (SELECT id FROM exchanges WHERE started_at < ? ORDER BY started_at LIMIT ?)`,
  )
  const countRows = db.prepare('SELECT count(*) FROM exchanges').pluck()
  const deleteOldest = db.prepare(
    'DELETE FROM exchanges WHERE id <= (SELECT id FROM exchanges ORDER BY id LIMIT 1 OFFSET ?)',
  )

  /** @type {(maxRows: number, budget: number) => number} */
  const trimRows = (maxRows, budget) => {
    const excess = Math.min(Number(countRows.get()) - Math.floor(maxRows), budget)
    return excess > 0 ? deleteOldest.run(excess - 1).changes : 0
  }

  const run = db.transaction(
    /** @type {(limits: TrimLimits, now: number) => TrimRun} */
    (limits, now) => {
      const byAge = limits.maxAgeMs > 0 ? deleteOlder.run(now - limits.maxAgeMs, chunk).changes : 0
      const byRows = limits.maxRows > 0 ? trimRows(limits.maxRows, chunk - byAge) : 0
      return { byAge, byRows, more: byAge + byRows >= chunk }
    },
  )
  return (/** @type {TrimLimits} */ limits, /** @type {number} */ now) => run.immediate(limits, now)
}
