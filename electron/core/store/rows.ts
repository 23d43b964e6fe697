/**
 * How an exchange maps onto a row of `exchanges` and back. Serialisation happens at write time,
 * never when the proxy records: here, except for header lists, which travel to the writer as
 * lists and become JSON text there (sql-writer.js), off the proxy's thread.
 */

import type { ErrorCode } from '../../../shared/errors'
import type { ExchangeKind, HeaderList } from '../../../shared/exchange'
import type { ExchangePatch, ExchangeTimings, LoggedExchange, LoggedSummary } from './types'

type Value = string | number | Uint8Array | null
/** A value as the writer takes it. */
export type WriteValue = Value | HeaderList
type Field = keyof Omit<LoggedExchange, 'id'>

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value))
const optional = <T extends WriteValue>(value: T | undefined): T | null => value ?? null
const flag = (value: boolean): number => (value ? 1 : 0)

// One entry per field, in column order: the single place that knows a field's column and format.
const FIELDS: {
  [K in Field]-?: [column: string, write: (value: LoggedExchange[K]) => WriteValue]
} = {
  kind: ['kind', (value) => value],
  startedAt: ['started_at', (value) => value],
  firstByteAt: ['first_byte_at', optional],
  endedAt: ['ended_at', optional],
  method: ['method', (value) => value],
  url: ['url', (value) => value],
  httpVersion: ['http_version', (value) => value],
  status: ['status', optional],
  clientAddress: ['client_address', (value) => value],
  keyMasked: ['key_masked', optional],
  keyHash: ['key_hash', optional],
  origin: ['origin', optional],
  requestHeaders: ['request_headers', optional],
  responseHeaders: ['response_headers', optional],
  requestBodySize: ['request_body_size', (value) => value],
  requestBodyTruncated: ['request_body_truncated', flag],
  responseBodySize: ['response_body_size', (value) => value],
  responseBodyTruncated: ['response_body_truncated', flag],
  errorCode: ['error_code', optional],
  errorMessage: ['error_message', optional],
  rateLimit: ['rate_limit', json],
  upstreamRateLimit: ['upstream_rate_limit', json],
  cors: ['cors', json],
  pairedId: ['paired_id', optional],
  session: ['session', optional],
  replayOf: ['replay_of', optional],
  timings: ['timings', json],
  requestBody: ['request_body', (value) => value],
  responseBody: ['response_body', (value) => value],
}

const FIELD_NAMES = Object.keys(FIELDS) as Field[]

/** Columns an insert writes, in the order `toInsertValues` returns them. */
export const INSERT_COLUMNS = ['id', ...FIELD_NAMES.map((name) => FIELDS[name][0]), 'cors_outcome']

const PLACEHOLDERS = INSERT_COLUMNS.map(() => '?').join(', ')

/** The statement that inserts one exchange, bound with `toInsertValues`. */
export const INSERT_SQL = `INSERT INTO exchanges (${INSERT_COLUMNS.join(', ')}) VALUES (${PLACEHOLDERS})`

/** The statement that sets `columns` of one exchange, bound with their values, then the id. */
export function updateSql(columns: string[]): string {
  return `UPDATE exchanges SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`
}

// Timings sit after the bodies in the row (added later), so summaries leave them out too.
/** Columns a summary reads: everything but the bodies and the phase timings. */
export const SUMMARY_COLUMNS = INSERT_COLUMNS.filter(
  (column) => column !== 'request_body' && column !== 'response_body' && column !== 'timings',
)

function writeField(name: Field, exchange: ExchangePatch): WriteValue {
  // Each writer accepts its own field's type; the table above is what ties the two together.
  const write = FIELDS[name][1] as (value: unknown) => WriteValue
  return write(exchange[name])
}

// Stored beside the verdict so lists can filter on it with an index. A request without Origin is
// not a CORS request by definition, verdict or not.
function deriveOutcome(exchange: ExchangePatch): string | null {
  if (exchange.cors) return exchange.cors.outcome
  return exchange.origin === undefined ? 'not-cors' : null
}

/** The bound values of an insert, in `INSERT_COLUMNS` order. */
export function toInsertValues(exchange: LoggedExchange): WriteValue[] {
  const values: WriteValue[] = [exchange.id]
  for (const name of FIELD_NAMES) values.push(writeField(name, exchange))
  values.push(deriveOutcome(exchange))
  return values
}

/** The columns and values an update sets. Unknown keys are ignored. */
export function toUpdate(patch: ExchangePatch): { columns: string[]; values: WriteValue[] } {
  const columns: string[] = []
  const values: WriteValue[] = []
  for (const name of Object.keys(patch)) {
    if (!(name in FIELDS)) continue
    columns.push(FIELDS[name as Field][0])
    values.push(writeField(name as Field, patch))
  }

  if ('cors' in patch) {
    columns.push('cors_outcome')
    values.push(patch.cors?.outcome ?? null)
  }
  return { columns, values }
}

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, string | number | Buffer | null>

const read = <T>(text: unknown): T | undefined =>
  typeof text === 'string' ? (JSON.parse(text) as T) : undefined

/** A summary from a row read with `SUMMARY_COLUMNS`; absent values stay absent. */
export function fromSummaryRow(row: Row): LoggedSummary {
  const summary: LoggedSummary = {
    id: row.id as number,
    kind: row.kind as ExchangeKind,
    startedAt: row.started_at as number,
    method: row.method as string,
    url: row.url as string,
    httpVersion: row.http_version as string,
    clientAddress: row.client_address as string,
    requestHeaders: read<HeaderList>(row.request_headers) ?? [],
    requestBodySize: row.request_body_size as number,
    requestBodyTruncated: row.request_body_truncated === 1,
    responseBodySize: row.response_body_size as number,
    responseBodyTruncated: row.response_body_truncated === 1,
  }

  const optionalFields = {
    firstByteAt: row.first_byte_at,
    endedAt: row.ended_at,
    status: row.status,
    keyMasked: row.key_masked,
    keyHash: row.key_hash,
    origin: row.origin,
    responseHeaders: read<HeaderList>(row.response_headers),
    errorCode: row.error_code as ErrorCode | null,
    errorMessage: row.error_message,
    rateLimit: read(row.rate_limit),
    upstreamRateLimit: read(row.upstream_rate_limit),
    cors: read(row.cors),
    pairedId: row.paired_id,
    session: row.session,
    replayOf: row.replay_of,
  }
  for (const [name, value] of Object.entries(optionalFields)) {
    if (value !== null && value !== undefined) Object.assign(summary, { [name]: value })
  }
  return summary
}

/** A whole exchange from a row read with every column. */
export function fromRow(row: Row): LoggedExchange {
  const exchange: LoggedExchange = {
    ...fromSummaryRow(row),
    requestBody: row.request_body as Buffer,
    responseBody: row.response_body as Buffer,
  }
  const timings = read<ExchangeTimings>(row.timings)
  if (timings !== undefined) exchange.timings = timings
  return exchange
}

/** What listeners get for a freshly recorded exchange: the same object minus its bodies. */
export function toSummary(exchange: LoggedExchange): LoggedSummary {
  const { requestBody: _request, responseBody: _response, timings: _timings, ...summary } = exchange
  return summary
}
