/**
 * Turns pending writes into a batch the writer runs in one transaction, and the writer's outcome
 * back into what the store reports. The batch is shaped to cross to the writer thread cheaply:
 * flat lists of plain values and strings, and one buffer of body bytes.
 */

import type Database from 'better-sqlite3'
import type { PendingWrite } from './pending-queue'
import { INSERT_SQL, toInsertValues, toUpdate, updateSql, type WriteValue } from './rows'
import {
  createJobRunner,
  type BatchOutcome,
  type EncodedBatch,
  type Value,
  type WriterError,
} from './sql-writer.js'
import type { LoggedExchange } from './types'

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

/** One statement's values, with an update's id last. */
function toBound(write: PendingWrite): { sql: string; values: WriteValue[] } | undefined {
  if (write.type === 'insert') return { sql: INSERT_SQL, values: toInsertValues(write.exchange) }

  const { columns, values } = toUpdate(write.patch)
  if (columns.length === 0) return undefined
  return { sql: updateSql(columns), values: [...values, write.id] }
}

// What SQLite refuses would fail in the writer anyway; a function or a symbol would not even
// cross to the writer thread, and would take the whole batch with it.
function checkBindable(value: unknown): void {
  if (value === null || value === undefined || value instanceof Uint8Array) return
  if (Array.isArray(value)) return
  const type = typeof value
  if (type === 'string' || type === 'number' || type === 'bigint') return
  throw new TypeError(
    `a ${type} cannot be stored; SQLite takes numbers, strings, bigints, byte arrays and null`,
  )
}

// Cloning strings to another thread is a copy; JSON.stringify scans every character, and
// cloning the nested arrays themselves costs more than both.
// Indexed loops: this runs for every header of every exchange, on the proxy's thread.
function isPlainList(list: unknown[]): list is [string, string][] {
  for (let index = 0; index < list.length; index++) {
    const pair = list[index]
    if (!Array.isArray(pair) || pair.length !== 2) return false
    if (typeof pair[0] !== 'string' || typeof pair[1] !== 'string') return false
  }
  return true
}

/** Converts `writes` into one batch; a write whose values cannot be made is left out. */
export function prepareBatch(writes: PendingWrite[]): PreparedBatch {
  const prepared: PreparedBatch = {
    batch: {
      statements: [],
      steps: [],
      values: [],
      lists: [],
      listStrings: [],
      blobs: [],
      blobBytes: new Uint8Array(0),
    },
    transfer: [],
    steps: [],
    unbindable: [],
  }
  const { statements, steps, values, lists, listStrings, blobs } = prepared.batch
  const statementIndex = new Map<string, number>()
  const blobParts: Uint8Array[] = []
  let blobSize = 0

  for (const write of writes) {
    let bound: ReturnType<typeof toBound>
    try {
      bound = toBound(write)
      for (const value of bound?.values ?? []) checkBindable(value)
    } catch (error) {
      prepared.unbindable.push({ write, error: error as Error })
      continue
    }
    if (!bound) continue

    let statement = statementIndex.get(bound.sql)
    if (statement === undefined) {
      statement = statements.push(bound.sql) - 1
      statementIndex.set(bound.sql, statement)
    }
    steps.push(statement, bound.values.length)
    prepared.steps.push(write)

    // Bodies are copied into one buffer that moves to the writer whole: a body is often a view
    // into a larger buffer, which cloning would copy in full.
    for (const value of bound.values) {
      if (value instanceof Uint8Array) {
        blobs.push(values.length, value.byteLength)
        blobParts.push(value)
        blobSize += value.byteLength
        values.push(null)
      } else if (Array.isArray(value) && isPlainList(value)) {
        lists.push(values.length, value.length)
        for (let index = 0; index < value.length; index++) {
          const pair = value[index]!
          listStrings.push(pair[0], pair[1])
        }
        values.push(null)
      } else {
        values.push(Array.isArray(value) ? JSON.stringify(value) : ((value ?? null) as Value))
      }
    }
  }

  const blobBytes = new Uint8Array(blobSize)
  let offset = 0
  for (const part of blobParts) {
    blobBytes.set(part, offset)
    offset += part.byteLength
  }
  prepared.batch.blobBytes = blobBytes
  prepared.transfer.push(blobBytes.buffer)
  return prepared
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
