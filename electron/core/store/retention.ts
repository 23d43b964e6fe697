/**
 * Keeps the log within its configured size and age, a bounded chunk at a time so that a large
 * backlog never stalls the proxy's thread in one long delete.
 */

import type Database from 'better-sqlite3'
import type { RetentionConfig } from '../../../shared/config'

/** Rows one run deletes at most; about 5 ms of work with 1 KiB bodies on a small VM. */
export const RETENTION_CHUNK = 1_000

export interface RetentionRun {
  byAge: number
  byRows: number
  /** The chunk was full: more rows are due and the next run should come soon. */
  more: boolean
}

export interface Retention {
  /** Deletes what is older than allowed, then what is beyond the row limit. */
  enforce(config: RetentionConfig, now: number): RetentionRun
}

export function createRetention(db: Database.Database, chunk = RETENTION_CHUNK): Retention {
  // Both deletes walk an index from the oldest end and stop after what they remove.
  const deleteOlder = db.prepare(
    `DELETE FROM exchanges WHERE id IN
      (SELECT id FROM exchanges WHERE started_at < ? ORDER BY started_at LIMIT ?)`,
  )
  const countRows = db.prepare('SELECT count(*) FROM exchanges').pluck()
  const deleteOldest = db.prepare(
    'DELETE FROM exchanges WHERE id <= (SELECT id FROM exchanges ORDER BY id LIMIT 1 OFFSET ?)',
  )

  const trimRows = (maxRows: number, budget: number): number => {
    const excess = Math.min((countRows.get() as number) - Math.floor(maxRows), budget)
    return excess > 0 ? deleteOldest.run(excess - 1).changes : 0
  }

  const run = db.transaction((config: RetentionConfig, now: number): RetentionRun => {
    const byAge = config.maxAgeMs > 0 ? deleteOlder.run(now - config.maxAgeMs, chunk).changes : 0
    const byRows = config.maxRows > 0 ? trimRows(config.maxRows, chunk - byAge) : 0
    return { byAge, byRows, more: byAge + byRows >= chunk }
  })

  return { enforce: (config, now) => run.immediate(config, now) }
}
