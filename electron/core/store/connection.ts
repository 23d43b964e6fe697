/**
 * Opening the SQLite file: directory, pragmas, migrations, and a fingerprint of the file so the
 * store notices when it is deleted or replaced under it.
 */

import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { TollgateError } from '../../../shared/errors'
import { applyMigrations, refuseForeignDatabase } from './migrations'

export const MEMORY = ':memory:'

export interface Connection {
  db: Database.Database
  /** Device and inode of the file opened; undefined in memory. */
  identity?: string
  /** The largest id ever written, including rows since deleted. */
  highestId: number
}

export interface ConnectionOptions {
  nativeBinding?: string
  busyTimeoutMs: number
}

/** Bytes per page of a newly created log. */
export const PAGE_SIZE = 16_384

/**
 * Opens and migrates the log at `file`. Throws a TollgateError `DB_UNAVAILABLE` naming the file
 * and the fix when it cannot be used.
 */
export function openConnection(file: string, options: ConnectionOptions): Connection {
  const inMemory = file === MEMORY
  let db: Database.Database
  try {
    if (!inMemory) fs.mkdirSync(path.dirname(file), { recursive: true })
    db = new Database(file, { nativeBinding: options.nativeBinding })
  } catch (error) {
    throw unavailable(file, error)
  }

  try {
    refuseForeignDatabase(db, file)
    // Rows carry a few KiB of header text, and each page is one write to the WAL: larger pages
    // mean fewer writes per row. Only a new, empty file takes it; an existing log keeps its own.
    db.pragma(`page_size = ${PAGE_SIZE}`)
    // WAL lets the UI read while the writer thread writes.
    if (!inMemory) db.pragma('journal_mode = WAL')
    for (const pragma of connectionPragmas(options.busyTimeoutMs)) db.pragma(pragma)
    applyMigrations(db, file)
    return { db, identity: inMemory ? undefined : identify(file), highestId: readHighestId(db) }
  } catch (error) {
    db.close()
    throw error instanceof TollgateError ? error : unavailable(file, error)
  }
}

/** What every connection to the log sets for itself, the writer thread's included. */
export function connectionPragmas(busyTimeoutMs: number): string[] {
  return [
    // In WAL, NORMAL skips an fsync per commit: the last commits can be lost on power loss, but
    // the file is never corrupted.
    'synchronous = NORMAL',
    `busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`,
    'foreign_keys = ON',
    // A burst can grow the WAL far past its usual size; cut it back to 64 MiB once checkpointed.
    'journal_size_limit = 67108864',
  ]
}

// AUTOINCREMENT keeps the high-water mark in sqlite_sequence, so ids are not reused after a
// clear or a retention run emptied the table.
function readHighestId(db: Database.Database): number {
  const row = db
    .prepare(
      `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'exchanges'), 0),
                  coalesce((SELECT max(id) FROM exchanges), 0)) AS id`,
    )
    .get() as { id: number }
  return row.id
}

/** True when the file at `file` is no longer the one `connection` has open. */
export function hasMoved(connection: Connection, file: string): boolean {
  if (connection.identity === undefined) return false
  return identify(file) !== connection.identity
}

function identify(file: string): string | undefined {
  try {
    const stats = fs.statSync(file)
    return stats.isFile() ? `${stats.dev}:${stats.ino}` : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the lock that makes one running Tollgate the only writer of `file`: an exclusive
 * transaction held open on `<file>-lock` for as long as the returned connection lives. The
 * operating system drops it when the process dies, so a crash leaves no stale lock behind.
 * Readers of the log itself are not affected. Throws a TollgateError `DB_UNAVAILABLE` when
 * another process (or another store in this one) holds it.
 */
export function lockLog(file: string, nativeBinding?: string): Database.Database {
  let lockFile = `${file}-lock`
  let lock: Database.Database | undefined
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    // Beside the file itself, so that two paths to it (a symlink, a linked folder) share a lock.
    lockFile = `${canonicalPath(file)}-lock`
    lock = new Database(lockFile, { nativeBinding, timeout: 0 })
    lock.exec('BEGIN EXCLUSIVE')
    return lock
  } catch (error) {
    lock?.close()
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw unavailable(file, error)
    // Two writers would hand out the same ids from their own counters and lose rows.
    throw new TollgateError(
      'DB_UNAVAILABLE',
      `The traffic log ${file} is in use by another running Tollgate (it holds ${lockFile}). Stop the other one, or point "db" at another file with --db.`,
      { cause: error },
    )
  }
}

/** `file` with every symlink resolved, including its own when it is one and exists. */
function canonicalPath(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return path.join(fs.realpathSync(path.dirname(file)), path.basename(file))
  }
}

/** True when opening failed because the file holds something other than an intact database. */
export function isDamaged(error: unknown): boolean {
  const cause = error instanceof TollgateError ? (error.cause as { code?: unknown }) : undefined
  return cause?.code === 'SQLITE_NOTADB' || cause?.code === 'SQLITE_CORRUPT'
}

/**
 * Renames `file`, and the WAL and shared-memory files beside it, to `<file>.damaged-<time>` so
 * a new log can start at `file` while the old bytes stay on disk. Returns the new name.
 */
export function moveAside(file: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  const aside = `${file}.damaged-${stamp}`
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix)
  }
  fs.renameSync(file, aside)
  return aside
}

function unavailable(file: string, error: unknown): TollgateError {
  const reason = error instanceof Error ? error.message : String(error)
  return new TollgateError(
    'DB_UNAVAILABLE',
    `Cannot open the traffic log ${file}: ${reason}. Check that the path is a writable file (not a directory) and that it is a Tollgate log, or point "db" at another file.`,
    { cause: error },
  )
}
