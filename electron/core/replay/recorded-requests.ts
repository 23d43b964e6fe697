/**
 * Recorded requests read straight from a traffic log file, oldest first, for "what if" runs. The
 * store lists newest first in pages of summaries; a replay needs the opposite order and only a
 * few columns, so this opens its own read-only connection and walks one cursor. WAL lets it read
 * while the proxy keeps writing.
 */

import Database from 'better-sqlite3'
import { TollgateError } from '../../../shared/errors'
import type { HeaderList } from '../../../shared/exchange'
import type { ExchangeFilter } from '../store'
import { buildWhere } from '../store/queries'
import type { RecordedRequest } from './what-if-simulator'

export interface ReadRequestsOptions {
  /** Path to a better-sqlite3 addon built for the running runtime (Electron or Node). */
  nativeBinding?: string
}

/** A request as read from the log, with the fields a "what if" run and its report use. */
export interface LoggedRequest extends RecordedRequest {
  id: number
  kind: string
  origin?: string
}

type RawRow = [
  id: number,
  kind: string,
  startedAt: number,
  method: string,
  url: string,
  clientAddress: string,
  origin: string | null,
  status: number | null,
  requestHeaders: string,
  allowed: number | null,
]

const COLUMNS = [
  'id',
  'kind',
  'started_at',
  'method',
  'url',
  'client_address',
  'origin',
  'status',
  'request_headers',
  "json_extract(rate_limit, '$.allowed')",
]

/**
 * The requests of the log at `file` that `filter` selects (a session, a key, a status…), by start
 * time and then id. Rows are read one at a time as the iteration asks, so a million take the
 * memory of one. Flush the store first to include what it has not written yet. The connection
 * closes when the iteration ends or is broken off. The first step of the iteration throws a
 * TollgateError `DB_UNAVAILABLE` when the file cannot be opened.
 */
export function* readRecordedRequests(
  file: string,
  filter: ExchangeFilter = {},
  options: ReadRequestsOptions = {},
): Generator<LoggedRequest> {
  let db: Database.Database
  try {
    db = new Database(file, {
      readonly: true,
      fileMustExist: true,
      nativeBinding: options.nativeBinding,
    })
  } catch (error) {
    throw new TollgateError(
      'DB_UNAVAILABLE',
      `Cannot open the traffic log ${file} to replay it: ${(error as Error).message}. Check the path, or record some traffic first.`,
      { cause: error },
    )
  }

  try {
    const { sql, parameters } = buildWhere(filter)
    const statement = db
      .prepare(`SELECT ${COLUMNS.join(', ')} FROM exchanges ${sql} ORDER BY started_at, id`)
      .raw(true)
    for (const row of statement.iterate(...parameters) as Iterable<RawRow>) {
      yield toRequest(row)
    }
  } finally {
    db.close()
  }
}

function toRequest(row: RawRow): LoggedRequest {
  const [id, kind, startedAt, method, url, clientAddress, origin, status, headers, allowed] = row
  const request: LoggedRequest = {
    id,
    kind,
    startedAt,
    method,
    url,
    clientAddress,
    requestHeaders: JSON.parse(headers) as HeaderList,
  }
  if (origin !== null) request.origin = origin
  if (status !== null) request.status = status
  if (allowed !== null) request.rateLimit = { allowed: allowed === 1 }
  return request
}
