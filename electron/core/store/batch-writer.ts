/**
 * Turns pending writes into a batch the writer runs in one transaction, and the writer's outcome
 * back into what the store reports. The batch is shaped to cross to the writer thread cheaply
 * (see `EncodedBatch`): encoding walks each exchange once and copies its strings and bytes once.
 */

import type Database from 'better-sqlite3'
import type { PendingWrite } from './pending-queue'
import { INSERT_SQL, toUpdate, updateSql, writeInsert } from './rows'
import {
  createJobRunner,
  type BatchOutcome,
  type EncodedBatch,
  type WriterError,
} from './sql-writer.js'
import type { LoggedExchange } from './types'
import { ValueEncoder } from './value-encoder'

export interface BatchResult {
  /** The exchanges inserted, in order. */
  inserted: LoggedExchange[]
  /** Ids an update touched. */
  updated: Set<number>
  rejected: { write: PendingWrite; error: Error }[]
}

export interface PreparedBatch {
  batch: EncodedBatch
  /** Buffers the batch can hand over instead of copying. */
  transfer: ArrayBuffer[]
  /** The write behind each of the batch's steps. */
  steps: PendingWrite[]
  /** Writes whose values cannot be bound at all, left out of the batch. */
  unbindable: { write: PendingWrite; error: Error }[]
}

/** Writes one write's values to `encoder`; returns its SQL, or undefined when it sets nothing. */
function encodeWrite(write: PendingWrite, encoder: ValueEncoder): string | undefined {
  if (write.type === 'insert') {
    writeInsert(write.exchange, encoder)
    return INSERT_SQL
  }

  const { columns, values } = toUpdate(write.patch)
  if (columns.length === 0) return undefined
  for (const value of values) encoder.write(value)
  encoder.write(write.id)
  return updateSql(columns)
}

/** Converts `writes` into one batch; a write whose values cannot be made is left out. */
export function prepareBatch(writes: PendingWrite[]): PreparedBatch {
  const encoder = new ValueEncoder(writes.length)
  const statements: string[] = []
  const statementIndex = new Map<string, number>()
  const steps = new Int32Array(writes.length * 2)
  const stepWrites: PendingWrite[] = []
  const unbindable: PreparedBatch['unbindable'] = []

  for (const write of writes) {
    let sql: string | undefined
    encoder.begin()
    try {
      sql = encodeWrite(write, encoder)
    } catch (error) {
      encoder.abort()
      unbindable.push({ write, error: error as Error })
      continue
    }
    if (sql === undefined) {
      encoder.abort()
      continue
    }

    let statement = statementIndex.get(sql)
    if (statement === undefined) {
      statement = statements.push(sql) - 1
      statementIndex.set(sql, statement)
    }
    steps[stepWrites.length * 2] = statement
    steps[stepWrites.length * 2 + 1] = encoder.end()
    stepWrites.push(write)
  }

  const { values, transfer } = encoder.finish()
  const usedSteps = steps.subarray(0, stepWrites.length * 2)
  transfer.push(steps.buffer)
  return {
    batch: { statements, steps: usedSteps, ...values },
    transfer,
    steps: stepWrites,
    unbindable,
  }
}

/** What a batch did, from the writer's outcome. */
export function readOutcome(prepared: PreparedBatch, outcome: BatchOutcome): BatchResult {
  const result: BatchResult = {
    inserted: [],
    updated: new Set(),
    rejected: [...prepared.unbindable],
  }
  const refused = new Map(outcome.rejected.map((entry) => [entry.step, entry]))

  prepared.steps.forEach((write, step) => {
    const error = refused.get(step)
    if (error) result.rejected.push({ write, error: toError(error) })
    else if (write.type === 'insert') result.inserted.push(write.exchange)
    else result.updated.add(write.id)
  })
  return result
}

/** An error from the writer, as an Error again. */
export function toError(error: WriterError): Error {
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {})
}

export interface BatchWriter {
  write(batch: PendingWrite[]): BatchResult
}

/** Writes batches on the calling thread, straight into `db`. */
export function createBatchWriter(db: Database.Database): BatchWriter {
  const run = createJobRunner(db)
  return {
    write(writes) {
      const prepared = prepareBatch(writes)
      const outcome = run({ type: 'write', batch: prepared.batch }) as BatchOutcome
      return readOutcome(prepared, outcome)
    },
  }
}
