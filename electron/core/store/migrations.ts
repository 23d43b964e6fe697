/**
 * The traffic log's schema, as numbered migrations. A migration, once released, never changes:
 * its SQL is hashed into the file, and a file whose history differs from this list is refused.
 */

import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import { TollgateError } from '../../../shared/errors'

export interface Migration {
  version: number
  name: string
  sql: string
}

// Later migrations add columns with ALTER TABLE; every statement names its columns, so rows
// written before a column existed read back with its default. Bodies come last so that reading
// the other columns of a row with a large body does not walk its overflow pages.
/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create-exchanges',
    sql: `
CREATE TABLE exchanges (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  started_at REAL NOT NULL,
  first_byte_at REAL,
  ended_at REAL,
  method TEXT NOT NULL,
  url TEXT NOT NULL,
  http_version TEXT NOT NULL,
  status INTEGER,
  client_address TEXT NOT NULL,
  key_masked TEXT,
  key_hash TEXT,
  origin TEXT,
  request_headers TEXT NOT NULL,
  response_headers TEXT,
  request_body_size INTEGER NOT NULL,
  request_body_truncated INTEGER NOT NULL,
  response_body_size INTEGER NOT NULL,
  response_body_truncated INTEGER NOT NULL,
  error_code TEXT,
  error_message TEXT,
  rate_limit TEXT,
  upstream_rate_limit TEXT,
  cors TEXT,
  cors_outcome TEXT,
  paired_id INTEGER,
  session TEXT,
  request_body BLOB NOT NULL,
  response_body BLOB NOT NULL
);
CREATE INDEX exchanges_started_at ON exchanges (started_at);
CREATE INDEX exchanges_key_hash ON exchanges (key_hash);
CREATE INDEX exchanges_status ON exchanges (status);
CREATE INDEX exchanges_cors_outcome ON exchanges (cors_outcome);
CREATE INDEX exchanges_session ON exchanges (session);
`,
  },
  {
    version: 2,
    name: 'add-exchange-timings',
    sql: `
ALTER TABLE exchanges ADD COLUMN timings TEXT;
`,
  },
  {
    version: 3,
    name: 'add-replay-of',
    sql: `
ALTER TABLE exchanges ADD COLUMN replay_of INTEGER;
CREATE INDEX exchanges_replay_of ON exchanges (replay_of);
`,
  },
  {
    // Live traffic has neither a session nor a replay link, so indexing only the rows that do
    // spares every live insert two index writes. Lookups by a session or a replayed id still
    // find their rows through these.
    version: 4,
    name: 'index-only-set-session-and-replay-of',
    sql: `
DROP INDEX exchanges_session;
CREATE INDEX exchanges_session ON exchanges (session) WHERE session IS NOT NULL;
DROP INDEX exchanges_replay_of;
CREATE INDEX exchanges_replay_of ON exchanges (replay_of) WHERE replay_of IS NOT NULL;
`,
  },
]

/** The sha256 of a migration's SQL, exactly as written. */
export function hashMigration(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex')
}

interface AppliedRow {
  version: number
  name: string
  hash: string
}

/**
 * Brings the file at `file` up to the newest migration in one transaction, or refuses it when its
 * recorded history is not a prefix of `migrations`.
 */
export function applyMigrations(
  db: Database.Database,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { applied: number[] } {
  const run = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      hash TEXT NOT NULL,
      applied_at REAL NOT NULL
    )`)
    const recorded = db
      .prepare('SELECT version, name, hash FROM migrations ORDER BY version')
      .all() as AppliedRow[]
    checkHistory(recorded, migrations, file)

    const known = new Set(recorded.map((row) => row.version))
    const insert = db.prepare(
      'INSERT INTO migrations (version, name, hash, applied_at) VALUES (?, ?, ?, ?)',
    )
    const applied: number[] = []
    for (const migration of migrations) {
      if (known.has(migration.version)) continue
      db.exec(migration.sql)
      insert.run(migration.version, migration.name, hashMigration(migration), Date.now())
      applied.push(migration.version)
    }
    return applied
  })

  // IMMEDIATE takes the write lock first, so two processes opening a new file cannot both migrate.
  return { applied: run.immediate() }
}

/**
 * Refuses a database with tables but no migration history: it belongs to another program, and
 * adding Tollgate's tables (or switching it to WAL) would change a file the user never meant to
 * give to Tollgate. Call it before anything writes to the file.
 */
export function refuseForeignDatabase(db: Database.Database, file: string): void {
  const objects = db
    .prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .pluck()
    .all() as string[]
  if (objects.length === 0 || objects.includes('migrations')) return
  throw new TollgateError(
    'DB_UNAVAILABLE',
    `The file ${file} is a SQLite database of another program (it holds ${objects.slice(0, 3).join(', ')}, and no Tollgate history), so Tollgate leaves it untouched. Point "db" at another file.`,
  )
}

function checkHistory(recorded: AppliedRow[], migrations: readonly Migration[], file: string) {
  const newest = migrations.at(-1)?.version ?? 0

  for (const row of recorded) {
    const migration = migrations.find((candidate) => candidate.version === row.version)
    if (!migration) {
      throw new TollgateError(
        'DB_UNAVAILABLE',
        `The traffic log ${file} was written by a newer Tollgate (it has migration ${row.version} "${row.name}", this build knows up to ${newest}). Update Tollgate, or point "db" at another file.`,
      )
    }
    if (hashMigration(migration) !== row.hash) {
      throw new TollgateError(
        'DB_UNAVAILABLE',
        `The traffic log ${file} records migration ${row.version} "${row.name}" with a different hash than this build's, so its schema cannot be trusted. Move or delete the file to start a fresh log, or point "db" at another file.`,
      )
    }
  }
}
