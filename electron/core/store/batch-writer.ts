/**
 * Writes one batch of pending writes in one transaction, with prepared statements. A write SQLite
 * refuses for its own content is skipped and reported; any other failure rolls the batch back so
 * it can be retried whole.
 */

import type Database from 'better-sqlite3'
import type { PendingWrite } from './pending-queue'
import { INSERT_COLUMNS, toInsertValues, toUpdate } from './rows'
import type { LoggedExchange } from './types'

export interface BatchResult {
  /** The exchanges inserted, in order. */
  inserted: LoggedExchange[]
  /** Ids an update touched. */
  updated: Set<number>
  rejected: { write: PendingWrite; error: Error }[]
}

export interface BatchWriter {
  write(batch: PendingWrite[]): BatchResult
}

const DATA_ERRORS = ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE']

/** True for errors caused by the written values themselves, which no retry would cure. */
export function isDataError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && DATA_ERRORS.some((prefix) => code.startsWith(prefix))
}

export function createBatchWriter(db: Database.Database): BatchWriter {
  const placeholders = INSERT_COLUMNS.map(() => '?').join(', ')
  const insert = db.prepare(
    `INSERT INTO exchanges (${INSERT_COLUMNS.join(', ')}) VALUES (${placeholders})`,
  )
  const updates = new Map<string, Database.Statement>()

  const prepareUpdate = (columns: string[]) => {
    const sql = `UPDATE exchanges SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`
    let statement = updates.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      updates.set(sql, statement)
    }
    return statement
  }

  const apply = (write: PendingWrite, result: BatchResult) => {
    if (write.type === 'insert') {
      insert.run(toInsertValues(write.exchange))
      result.inserted.push(write.exchange)
      return
    }

    const { columns, values } = toUpdate(write.patch)
    if (columns.length === 0) return
    prepareUpdate(columns).run(...values, write.id)
    result.updated.add(write.id)
  }

  const run = db.transaction((batch: PendingWrite[]) => {
    const result: BatchResult = { inserted: [], updated: new Set(), rejected: [] }
    for (const write of batch) {
      // A failed statement undoes only itself, so the rest of the batch can still commit.
      try {
        apply(write, result)
      } catch (error) {
        if (!isDataError(error)) throw error
        result.rejected.push({ write, error: error as Error })
      }
    }
    return result
  })

  return { write: (batch) => run.immediate(batch) }
}
