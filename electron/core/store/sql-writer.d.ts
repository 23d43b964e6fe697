/**
 * Types of sql-writer.js and of the messages between the store and its writer thread.
 */

import type Database from 'better-sqlite3'

/** A value SQLite binds. */
export type Value = string | number | bigint | Uint8Array | null

/**
 * Writes ready to bind, in the order they must apply, shaped to cross to another thread cheaply:
 * flat lists of plain values and strings, and every blob's bytes in one transferable buffer.
 * Header lists arrive as strings and are stored as the JSON text of `[name, value][]`.
 */
export interface EncodedBatch {
  /** SQL of each statement the batch runs. */
  statements: string[]
  /** Per write, two entries: the index of its statement, then how many values it binds. */
  steps: number[]
  /** Every write's values back to back; a list's or a blob's place holds null until then. */
  values: Value[]
  /** Per header list, two entries: its index in `values`, then how many name-value pairs. */
  lists: number[]
  /** The lists' names and values back to back, in the order of `lists`. */
  listStrings: string[]
  /** Per blob, two entries: its index in `values`, then its length in bytes. */
  blobs: number[]
  /** The blobs' bytes back to back, in the order of `blobs`. */
  blobBytes: Uint8Array
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
