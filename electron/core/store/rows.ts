/**
 * How an exchange maps onto a row of `exchanges` and back. Serialisation happens at write time,
 * never when the proxy records.
 */

import type { ErrorCode } from '../../../shared/errors'
import type { ExchangeKind, HeaderList, RateLimitDecision } from '../../../shared/exchange'
import { HeaderListJson, RepeatedJson } from './header-json'
import type { ExchangePatch, ExchangeTimings, LoggedExchange, LoggedSummary } from './types'

type Value = string | number | Uint8Array | null
/** A value as the writer takes it; a list is stored as its JSON text. */
export type WriteValue = Value | HeaderList
type Field = keyof Omit<LoggedExchange, 'id'>

// Each structured column keeps its own previous value to compare with.
const corsJson = new RepeatedJson()
const upstreamRateLimitJson = new RepeatedJson()
const timingsJson = new RepeatedJson()
const json = (column: RepeatedJson, value: unknown): string | null =>
  value === undefined ? null : (column.stringify(value) ?? null)
const optional = <T extends WriteValue>(value: T | undefined): T | null => value ?? null
const flag = (value: boolean | undefined): number => (value ? 1 : 0)
// Each column keeps its own: a request's headers repeat the previous request's, not its response's.
const requestHeaderJson = new HeaderListJson()
const responseHeaderJson = new HeaderListJson()
const headers = (lists: HeaderListJson, value: HeaderList | undefined) =>
  Array.isArray(value) ? lists.stringify(value) : optional(value)

let lastBucket = ''
let lastBucketJson = '""'
const jsonNumber = (value: number) => (Number.isFinite(value) ? String(value) : 'null')

/**
 * A rate-limit decision as JSON, its fields in the order the limiter sets them. Written out by
 * hand: the budget changes with every request, so no text repeats, and this runs for every one.
 */
export function rateLimitJson(decision: RateLimitDecision | undefined): string | null {
  if (decision === undefined || (decision as unknown) === null) return null
  if (decision.bucket !== lastBucket) {
    lastBucket = decision.bucket
    lastBucketJson = JSON.stringify(decision.bucket)
  }
  const retryAfter =
    decision.retryAfterSeconds === undefined
      ? ''
      : `,"retryAfterSeconds":${jsonNumber(decision.retryAfterSeconds)}`
  return `{"bucket":${lastBucketJson},"allowed":${decision.allowed === true},"limit":${jsonNumber(decision.limit)},"windowMs":${jsonNumber(decision.windowMs)},"remaining":${jsonNumber(decision.remaining)},"resetAt":${jsonNumber(decision.resetAt)}${retryAfter},"enforced":${decision.enforced === true}}`
}

/** Reads one field of an exchange (or a patch, where it is present) as its column holds it. */
type FieldWriter = (exchange: ExchangePatch) => WriteValue | undefined

// One entry per field, in column order: the single place that knows a field's column and format.
// Each writer reads its own property, so every property read stays specialised to its field: this
// runs for every exchange on the proxy's thread.
const FIELDS: { [K in Field]-?: [column: string, write: FieldWriter] } = {
  kind: ['kind', (exchange) => exchange.kind],
  startedAt: ['started_at', (exchange) => exchange.startedAt],
  firstByteAt: ['first_byte_at', (exchange) => optional(exchange.firstByteAt)],
  endedAt: ['ended_at', (exchange) => optional(exchange.endedAt)],
  method: ['method', (exchange) => exchange.method],
  url: ['url', (exchange) => exchange.url],
  httpVersion: ['http_version', (exchange) => exchange.httpVersion],
  status: ['status', (exchange) => optional(exchange.status)],
  clientAddress: ['client_address', (exchange) => exchange.clientAddress],
  keyMasked: ['key_masked', (exchange) => optional(exchange.keyMasked)],
  keyHash: ['key_hash', (exchange) => optional(exchange.keyHash)],
  origin: ['origin', (exchange) => optional(exchange.origin)],
  requestHeaders: [
    'request_headers',
    (exchange) => headers(requestHeaderJson, exchange.requestHeaders),
  ],
  responseHeaders: [
    'response_headers',
    (exchange) => headers(responseHeaderJson, exchange.responseHeaders),
  ],
  requestBodySize: ['request_body_size', (exchange) => exchange.requestBodySize],
  requestBodyTruncated: [
    'request_body_truncated',
    (exchange) => flag(exchange.requestBodyTruncated),
  ],
  responseBodySize: ['response_body_size', (exchange) => exchange.responseBodySize],
  responseBodyTruncated: [
    'response_body_truncated',
    (exchange) => flag(exchange.responseBodyTruncated),
  ],
  errorCode: ['error_code', (exchange) => optional(exchange.errorCode)],
  errorMessage: ['error_message', (exchange) => optional(exchange.errorMessage)],
  rateLimit: ['rate_limit', (exchange) => rateLimitJson(exchange.rateLimit)],
  upstreamRateLimit: [
    'upstream_rate_limit',
    (exchange) => json(upstreamRateLimitJson, exchange.upstreamRateLimit),
  ],
  cors: ['cors', (exchange) => json(corsJson, exchange.cors)],
  pairedId: ['paired_id', (exchange) => optional(exchange.pairedId)],
  session: ['session', (exchange) => optional(exchange.session)],
  replayOf: ['replay_of', (exchange) => optional(exchange.replayOf)],
  timings: ['timings', (exchange) => json(timingsJson, exchange.timings)],
  requestBody: ['request_body', (exchange) => exchange.requestBody],
  responseBody: ['response_body', (exchange) => exchange.responseBody],
}

const FIELD_NAMES = Object.keys(FIELDS) as Field[]
const FIELD_WRITERS = FIELD_NAMES.map((name) => FIELDS[name][1])

/** Columns an insert writes, in the order `writeInsert` writes them. */
export const INSERT_COLUMNS = ['id', ...FIELD_NAMES.map((name) => FIELDS[name][0]), 'cors_outcome']

const PLACEHOLDERS = INSERT_COLUMNS.map(() => '?').join(', ')

/** The statement that inserts one exchange, bound with what `writeInsert` writes. */
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

// Stored beside the verdict so lists can filter on it with an index. A request without Origin is
// not a CORS request by definition, verdict or not.
function deriveOutcome(exchange: ExchangePatch): string | null {
  if (exchange.cors) return exchange.cors.outcome
  return exchange.origin === undefined ? 'not-cors' : null
}

/** Takes an insert's values one at a time, in `INSERT_COLUMNS` order. */
export interface ValueSink {
  write(value: WriteValue | undefined): void
}

/** Writes the bound values of an insert to `sink`, in `INSERT_COLUMNS` order. */
export function writeInsert(exchange: LoggedExchange, sink: ValueSink): void {
  sink.write(exchange.id)
  for (const write of FIELD_WRITERS) sink.write(write(exchange))
  sink.write(deriveOutcome(exchange))
}

/** The columns and values an update sets. Unknown keys are ignored. */
export function toUpdate(patch: ExchangePatch): { columns: string[]; values: WriteValue[] } {
  const columns: string[] = []
  const values: WriteValue[] = []
  for (const name of Object.keys(patch)) {
    if (!Object.hasOwn(FIELDS, name)) continue
    columns.push(FIELDS[name as Field][0])
    values.push(FIELDS[name as Field][1](patch) ?? null)
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

/** Every field of `T`, optional ones included, so that leaving one out does not compile. */
type EveryField<T> = { [K in keyof Required<T>]: T[K] }

/**
 * What listeners get for a freshly recorded exchange: its fields without the bodies and timings.
 * Spelled out because this runs for every exchange on the proxy's thread, and copying with a
 * rest pattern costs many times as much.
 */
export function toSummary(exchange: LoggedExchange): LoggedSummary {
  const summary: EveryField<LoggedSummary> = {
    id: exchange.id,
    kind: exchange.kind,
    startedAt: exchange.startedAt,
    firstByteAt: exchange.firstByteAt,
    endedAt: exchange.endedAt,
    method: exchange.method,
    url: exchange.url,
    httpVersion: exchange.httpVersion,
    status: exchange.status,
    clientAddress: exchange.clientAddress,
    keyMasked: exchange.keyMasked,
    keyHash: exchange.keyHash,
    origin: exchange.origin,
    requestHeaders: exchange.requestHeaders,
    responseHeaders: exchange.responseHeaders,
    requestBodySize: exchange.requestBodySize,
    requestBodyTruncated: exchange.requestBodyTruncated,
    responseBodySize: exchange.responseBodySize,
    responseBodyTruncated: exchange.responseBodyTruncated,
    errorCode: exchange.errorCode,
    errorMessage: exchange.errorMessage,
    rateLimit: exchange.rateLimit,
    upstreamRateLimit: exchange.upstreamRateLimit,
    cors: exchange.cors,
    pairedId: exchange.pairedId,
    session: exchange.session,
    replayOf: exchange.replayOf,
  }
  return summary
}
