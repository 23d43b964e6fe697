/**
 * Opening the SQLite file: directory, pragmas, migrations, and a fingerprint of the file so the
 * store notices when it is deleted or replaced under it.
 */

import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { TollgateError } from '../../../shared/errors'
import { applyMigrations } from './migrations'

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
    // WAL lets the UI read while the proxy writes; NORMAL skips an fsync per commit, which in WAL
    // can lose the last commits on power loss but never corrupts the file.
    if (!inMemory) db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`)
    db.pragma('foreign_keys = ON')
    // A burst can grow the WAL far past its usual size; cut it back to 64 MiB once checkpointed.
    db.pragma('journal_size_limit = 67108864')
    applyMigrations(db, file)
    return { db, identity: inMemory ? undefined : identify(file), highestId: readHighestId(db) }
  } catch (error) {
    db.close()
    throw error instanceof TollgateError ? error : unavailable(file, error)
  }
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

function unavailable(file: string, error: unknown): TollgateError {
  const reason = error instanceof Error ? error.message : String(error)
  return new TollgateError(
    'DB_UNAVAILABLE',
    `Cannot open the traffic log ${file}: ${reason}. Check that the path is a writable file (not a directory) and that it is a Tollgate log, or point "db" at another file.`,
    { cause: error },
  )
}
