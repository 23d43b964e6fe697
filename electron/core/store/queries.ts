/**
 * Reads of the traffic log. They see committed rows only; filtering, searching and paging all
 * happen in SQL so a large log never crosses into JavaScript whole.
 */

import type Database from 'better-sqlite3'
import { INSERT_COLUMNS, SUMMARY_COLUMNS, fromRow, fromSummaryRow, type Row } from './rows'
import type {
  BudgetPoint,
  ExchangeFilter,
  ListPage,
  ListQuery,
  LoggedExchange,
  LoggedSummary,
} from './types'

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

type Parameter = string | number

export interface Reader {
  get(id: number): LoggedExchange | undefined
  /** Summaries of the given ids that exist, in id order. */
  summaries(ids: number[]): LoggedSummary[]
  list(query: ListQuery): ListPage
  count(filter: ExchangeFilter): number
  budgetSeries(bucket: string, sinceMs: number): BudgetPoint[]
}

/** The WHERE clause and its parameters for a filter, plus the id cursors of a list. */
export function buildWhere(filter: ListQuery): { sql: string; parameters: Parameter[] } {
  const clauses: string[] = []
  const parameters: Parameter[] = []
  const where = (clause: string, ...values: Parameter[]) => {
    clauses.push(clause)
    parameters.push(...values)
  }

  if (filter.before !== undefined) where('id < ?', filter.before)
  if (filter.after !== undefined) where('id > ?', filter.after)
  if (filter.method !== undefined) where('method = ?', filter.method)
  if (filter.keyHash !== undefined) where('key_hash = ?', filter.keyHash)
  if (filter.origin !== undefined) where('origin = ?', filter.origin)
  if (filter.outcome !== undefined) where('cors_outcome = ?', filter.outcome)
  if (filter.kind !== undefined) where('kind = ?', filter.kind)
  if (filter.session === null) where('session IS NULL')
  if (typeof filter.session === 'string') where('session = ?', filter.session)

  if (typeof filter.status === 'number') where('status = ?', filter.status)
  if (typeof filter.status === 'string') {
    const low = Number(filter.status[0]) * 100
    where('status BETWEEN ? AND ?', low, low + 99)
  }

  if (filter.text) {
    // LIKE folds ASCII case without copying the value, but stops at a NUL byte; a body holding
    // one is searched again with instr(), and lower() folds it the same ASCII-only way.
    const pattern = `%${filter.text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`
    const needle = filter.text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
    const textTests = ['url', 'request_headers', 'response_headers'].map(
      (column) => `${column} LIKE ? ESCAPE '\\'`,
    )
    const bodyTests = ['request_body', 'response_body'].map(
      (column) =>
        `CAST(${column} AS TEXT) LIKE ? ESCAPE '\\' OR (instr(${column}, X'00') > 0 AND instr(lower(CAST(${column} AS TEXT)), ?) > 0)`,
    )
    where(
      `(${[...textTests, ...bodyTests].join(' OR ')})`,
      pattern,
      pattern,
      pattern,
      pattern,
      needle,
      pattern,
      needle,
    )
  }

  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', parameters }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)))
}

interface BudgetRow {
  t: number
  remaining: number
  limit: number
  allowed: number
  upstreamRemaining: number | null
}

export function createReader(db: Database.Database): Reader {
  const statements = new Map<string, Database.Statement>()
  const prepare = (sql: string) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }

  const selectOne = db.prepare(`SELECT ${INSERT_COLUMNS.join(', ')} FROM exchanges WHERE id = ?`)
  const selectBudget = db.prepare(`
    SELECT started_at AS t,
      json_extract(rate_limit, '$.remaining') AS remaining,
      json_extract(rate_limit, '$.limit') AS "limit",
      json_extract(rate_limit, '$.allowed') AS allowed,
      json_extract(upstream_rate_limit, '$.remaining') AS upstreamRemaining
    FROM exchanges
    WHERE started_at >= ? AND rate_limit IS NOT NULL AND session IS NULL
      AND json_extract(rate_limit, '$.bucket') = ?
    ORDER BY started_at, id`)

  return {
    get(id) {
      const row = selectOne.get(id) as Row | undefined
      return row ? fromRow(row) : undefined
    },

    summaries(ids) {
      // json_each takes the whole id list as one parameter, so one statement serves any count.
      const select = prepare(
        `SELECT ${SUMMARY_COLUMNS.join(', ')} FROM exchanges WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      )
      return (select.all(JSON.stringify(ids)) as Row[]).map(fromSummaryRow)
    },

    list(query) {
      const limit = clampLimit(query.limit)
      const { sql, parameters } = buildWhere(query)
      const select = `SELECT ${SUMMARY_COLUMNS.join(', ')} FROM exchanges ${sql}`

      // One row past the page tells whether an older page exists without a second query.
      const rows = prepare(`${select} ORDER BY id DESC LIMIT ?`).all(...parameters, limit + 1)
      const items = (rows as Row[]).slice(0, limit).map(fromSummaryRow)
      const last = items.at(-1)
      return rows.length > limit && last ? { items, nextCursor: last.id } : { items }
    },

    count(filter) {
      const { sql, parameters } = buildWhere(filter)
      const row = prepare(`SELECT count(*) AS n FROM exchanges ${sql}`).get(...parameters)
      return (row as { n: number }).n
    },

    budgetSeries(bucket, sinceMs) {
      const rows = selectBudget.all(sinceMs, bucket) as BudgetRow[]
      return rows.map((row) => {
        const point: BudgetPoint = {
          t: row.t,
          remaining: row.remaining,
          limit: row.limit,
          limited: row.allowed === 0,
        }
        if (row.upstreamRemaining !== null) point.upstreamRemaining = row.upstreamRemaining
        return point
      })
    },
  }
}
