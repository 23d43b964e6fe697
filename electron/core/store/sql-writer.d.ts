/**
 * Types of sql-writer.js and of the messages between the store and its writer thread.
 */

import type Database from 'better-sqlite3'

/** A value SQLite binds. */
export type Value = string | number | bigint | Uint8Array | null

/**
 * Writes ready to bind, in the order they must apply, shaped to cross to another thread cheaply:
 * typed arrays, two strings holding every text value, and one buffer holding every blob. Cloning
 * a few large values costs far less than cloning many small ones, and the writer takes each value
 * back out with a substring or a view, never a parse.
 */
export interface EncodedBatch {
  /** SQL of each statement the batch runs. */
  statements: string[]
  /** Per write, two entries: the index of its statement, then how many values it binds. */
  steps: Int32Array
  /**
   * Per value, in binding order: how it is stored, one of `VALUE_KIND`. `REPEAT` stands for the
   * text the previous write bound at the same place, so texts that consecutive writes share
   * cross once.
   */
  kinds: Uint8Array
  /** Per value: a number itself, a text's length in UTF-16 units, a blob's length in bytes. */
  numbers: Float64Array
  /** The `TEXT` values back to back (header lists and other JSON already as their JSON text). */
  text: string
  /**
   * The `WIDE_TEXT` values back to back: those with a character beyond Latin-1. V8 stores such a
   * string with two bytes per character, and so would it store all the text joined to one.
   */
  wideText: string
  /** The blob values back to back. */
  blobBytes: Uint8Array
  /** Values of kind `OTHER` (bigints), in order. */
  others: Value[]
}

export interface WriterError {
  message: string
  /** SQLite's code, such as `SQLITE_BUSY`, when SQLite raised it. */
  code?: string
}

/** Writes SQLite refused for their own values; the rest of the batch committed. */
export interface BatchOutcome {
  rejected: ({ step: number } & WriterError)[]
}

export interface TrimLimits {
  /** 0 keeps any number. */
  maxRows: number
  /** 0 keeps any age. */
  maxAgeMs: number
}

export interface TrimRun {
  byAge: number
  byRows: number
  /** The chunk was full: more rows are due and the next run should come soon. */
  more: boolean
}

/** What the store asks of its writer. */
export type WriterTask =
  | { type: 'write'; batch: EncodedBatch }
  | { type: 'trim'; limits: TrimLimits; now: number }
  | { type: 'clear' }
  | { type: 'close' }

/** A task as posted: numbered, and tagged with how many times the store has opened the file. */
export type WriterJob = WriterTask & { seq: number; generation: number }

/** The writer's answer to the job with the same `seq`: a result, or why it failed whole. */
export interface WriterReply {
  seq: number
  result?: BatchOutcome | TrimRun
  error?: WriterError
}

export const RETENTION_CHUNK: number

/** The kinds of value an `EncodedBatch` carries. */
export const VALUE_KIND: {
  readonly NULL: 0
  readonly NUMBER: 1
  readonly TEXT: 2
  readonly WIDE_TEXT: 3
  readonly REPEAT: 4
  readonly BLOB: 5
  readonly OTHER: 6
}

export function isDataError(error: unknown): boolean

export function describeError(error: unknown): WriterError

/** Runs one task against `db`; throws when the task failed whole. */
export function createJobRunner(
  db: Database.Database,
  chunk?: number,
): (task: WriterTask) => BatchOutcome | TrimRun | undefined

/** The answer to `job`: what `run` returned, or the error it threw. */
export function answerJob(
  job: WriterJob,
  run: (task: WriterTask) => BatchOutcome | TrimRun | undefined,
): WriterReply

export function createTrimmer(
  db: Database.Database,
  chunk: number,
): (limits: TrimLimits, now: number) => TrimRun
