/**
 * Turns writes into batches the writer runs in one transaction, and the writer's outcome back into
 * what the store reports. A batch is encoded (see `EncodedBatch`) before it goes to the writer, so
 * what crosses to the writer's thread, and waits if the writer is behind, is a few large values
 * rather than every exchange it will insert.
 */

import type Database from 'better-sqlite3'
import type { PendingWrite } from './pending-batches'
import { INSERT_SQL, toSummary, toUpdate, updateSql, writeInsert } from './rows'
import {
  createJobRunner,
  type BatchOutcome,
  type EncodedBatch,
  type WriterError,
} from './sql-writer.js'
import type { LoggedSummary } from './types'
import { ValueEncoder } from './value-encoder'

/** What the store still needs to know about a write once it is encoded. */
export interface WriteNote {
  type: PendingWrite['type']
  id: number
  /** Kept only when someone listens for recorded exchanges. */
  summary?: LoggedSummary
}

export interface BatchResult {
  /** Summaries of the inserted exchanges that kept one, in order. */
  inserted: LoggedSummary[]
  /** Ids an update touched. */
  updated: Set<number>
  rejected: { id: number; error: Error }[]
}

export interface PreparedBatch {
  /** Its typed arrays are views into the builder's: post a `copyToPost` of it, not it. */
  batch: EncodedBatch
  /** The write behind each of the batch's steps. */
  steps: WriteNote[]
  /** Writes whose values cannot be bound at all, left out of the batch. */
  unbindable: { id: number; error: Error }[]
  /** Writes added, whether or not they became steps. */
  writes: number
  /** Of those, inserts. */
  inserts: number
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

/** One batch in the making: writes are encoded as they are added, in order. */
export class BatchBuilder {
  private readonly encoder: ValueEncoder
  private readonly statements: string[] = []
  private readonly statementIndex = new Map<string, number>()
  private steps: Int32Array
  private readonly notes: WriteNote[] = []
  private readonly unbindable: PreparedBatch['unbindable'] = []
  // Updates that set no known column: nothing to run, but still writes the store counts.
  private empty = 0
  private inserts = 0

  /** `writes`: how many writes to make room for; more can be added, at the cost of growing. */
  constructor(writes: number) {
    this.encoder = new ValueEncoder(writes)
    this.steps = new Int32Array(Math.max(1, writes) * 2)
  }

  /** Writes added so far: bound, unbindable, or setting nothing. */
  get size(): number {
    return this.notes.length + this.unbindable.length + this.empty
  }

  /** Encodes `write`; with `keepSummary`, an insert's summary is kept for listeners. */
  add(write: PendingWrite, keepSummary: boolean): void {
    const id = write.type === 'insert' ? write.exchange.id : write.id
    if (write.type === 'insert') this.inserts++

    let sql: string | undefined
    this.encoder.begin()
    try {
      sql = encodeWrite(write, this.encoder)
    } catch (error) {
      this.encoder.abort()
      this.unbindable.push({ id, error: error as Error })
      return
    }
    if (sql === undefined) {
      this.encoder.abort()
      this.empty++
      return
    }

    let statement = this.statementIndex.get(sql)
    if (statement === undefined) {
      statement = this.statements.push(sql) - 1
      this.statementIndex.set(sql, statement)
    }
    const step = this.notes.length
    if (step * 2 === this.steps.length) this.growSteps()
    this.steps[step * 2] = statement
    this.steps[step * 2 + 1] = this.encoder.end()
    this.notes.push(
      write.type === 'insert'
        ? { type: 'insert', id, summary: keepSummary ? toSummary(write.exchange) : undefined }
        : { type: 'update', id },
    )
  }

  /** The batch as it stands; nothing may be added afterwards. */
  seal(): PreparedBatch {
    return {
      batch: {
        statements: this.statements,
        steps: this.steps.subarray(0, this.notes.length * 2),
        ...this.encoder.finish(),
      },
      steps: this.notes,
      unbindable: this.unbindable,
      writes: this.size,
      inserts: this.inserts,
    }
  }

  private growSteps(): void {
    const grown = new Int32Array(this.steps.length * 2)
    grown.set(this.steps)
    this.steps = grown
  }
}

/**
 * A copy of `batch` to post to the writer thread, with the buffers it can move there instead of
 * copying them again: the store keeps the original, to post again if the writer fails.
 */
export function copyToPost(batch: EncodedBatch): { batch: EncodedBatch; transfer: ArrayBuffer[] } {
  const copy = {
    ...batch,
    steps: batch.steps.slice(),
    kinds: batch.kinds.slice(),
    numbers: batch.numbers.slice(),
    blobBytes: batch.blobBytes.slice(),
  }
  const transfer = [copy.steps, copy.kinds, copy.numbers, copy.blobBytes].map(
    (array) => array.buffer as ArrayBuffer,
  )
  return { batch: copy, transfer }
}

/**
 * Converts `writes` into one batch; a write whose values cannot be made is left out. An insert
 * keeps its summary unless `keepSummaries` says otherwise for its place.
 */
export function prepareBatch(writes: PendingWrite[], keepSummaries?: boolean[]): PreparedBatch {
  const builder = new BatchBuilder(writes.length)
  for (let index = 0; index < writes.length; index++) {
    builder.add(writes[index]!, keepSummaries?.[index] ?? true)
  }
  return builder.seal()
}

/** What a batch did, from the writer's outcome. */
export function readOutcome(prepared: PreparedBatch, outcome: BatchOutcome): BatchResult {
  const result: BatchResult = {
    inserted: [],
    updated: new Set(),
    rejected: [...prepared.unbindable],
  }
  const refused = new Map(outcome.rejected.map((entry) => [entry.step, entry]))

  prepared.steps.forEach((note, step) => {
    const error = refused.get(step)
    if (error) result.rejected.push({ id: note.id, error: toError(error) })
    else if (note.type === 'update') result.updated.add(note.id)
    else if (note.summary) result.inserted.push(note.summary)
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
