/**
 * Keeps the log within its configured size and age, a bounded chunk at a time so that a large
 * backlog never holds the write lock in one long delete. The statements live with the writer
 * (sql-writer.js), which runs them on its own thread; this is the same work on the calling one.
 */

import type Database from 'better-sqlite3'
import type { RetentionConfig } from '../../../shared/config'
import { RETENTION_CHUNK, createTrimmer, type TrimRun } from './sql-writer.js'

export { RETENTION_CHUNK }

export type RetentionRun = TrimRun

export interface Retention {
  /** Deletes what is older than allowed, then what is beyond the row limit. */
  enforce(config: RetentionConfig, now: number): RetentionRun
}

/** Retention run straight on `db`, as the store does once when it opens the log. */
export function createRetention(db: Database.Database, chunk = RETENTION_CHUNK): Retention {
  const trim = createTrimmer(db, chunk)
  return { enforce: (config, now) => trim(config, now) }
}

/** True when `config` limits the log at all. */
export function limitsLog(config: RetentionConfig | undefined): config is RetentionConfig {
  return config !== undefined && (config.maxRows > 0 || config.maxAgeMs > 0)
}
