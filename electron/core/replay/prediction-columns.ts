/**
 * Per-request predictions of a "what if" run, kept column by column in typed arrays: a million
 * requests take about 37 MB and no object each. `readPrediction` turns one row into an object.
 */

import type { CorsRule } from '../../../shared/exchange'

/** The CORS outcomes in the order their codes number them. */
export const CORS_OUTCOMES = ['not-cors', 'allowed', 'blocked'] as const
export type CorsOutcome = (typeof CORS_OUTCOMES)[number]

/** The CORS rules in the order their codes number them, from 1; 0 is "none". */
export const CORS_RULES: readonly CorsRule[] = [
  'origin-not-allowed',
  'origin-not-single',
  'method-not-allowed',
  'header-not-allowed',
  'wildcard-with-credentials',
  'credentials-not-allowed',
  'preflight-failed',
  'header-not-exposed',
  'preflight-missing',
]

export const FLAG_PREFLIGHT = 1
export const FLAG_LIMITED = 2

/** One typed array per field; row `i` of each describes the `i`-th request given. */
export interface PredictionColumns {
  /** The exchange id, NaN when the request came without one. */
  id: Float64Array
  startedAt: Float64Array
  /** Predicted status; 0 when the request goes through but the recording holds no answer. */
  status: Uint16Array
  /** `FLAG_PREFLIGHT` and `FLAG_LIMITED` bits. */
  flags: Uint8Array
  /** Index into the run's keys; -1 for preflights, which no budget is charged for. */
  bucket: Int32Array
  /** X-RateLimit-Remaining; -1 for preflights. */
  remaining: Int32Array
  /** When Remaining next rises, epoch ms; NaN for preflights. */
  resetAt: Float64Array
  /** Index into `CORS_OUTCOMES`. */
  cors: Uint8Array
  /** 0, or 1 + index into `CORS_RULES` of the rule that blocks. */
  corsRule: Uint8Array
}

/** Creates empty columns with room for `capacity` rows. */
export function createColumns(capacity: number): PredictionColumns {
  return {
    id: new Float64Array(capacity),
    startedAt: new Float64Array(capacity),
    status: new Uint16Array(capacity),
    flags: new Uint8Array(capacity),
    bucket: new Int32Array(capacity),
    remaining: new Int32Array(capacity),
    resetAt: new Float64Array(capacity),
    cors: new Uint8Array(capacity),
    corsRule: new Uint8Array(capacity),
  }
}

/** Copies the first `count` rows into columns of `capacity` rows (to grow, or to trim). */
export function resizeColumns(
  columns: PredictionColumns,
  count: number,
  capacity: number,
): PredictionColumns {
  const resized = createColumns(capacity)
  for (const name of Object.keys(columns) as (keyof PredictionColumns)[]) {
    const source = columns[name].subarray(0, count)
    ;(resized[name] as typeof source).set(source as never)
  }
  return resized
}

/** One request's prediction as an object. */
export interface RequestPrediction {
  /** Position in the sequence given. */
  index: number
  id?: number
  startedAt: number
  preflight: boolean
  /** 429 when refused, 204 or 403 for preflights, else the recorded status when known. */
  status?: number
  limited: boolean
  /** Index into the run's keys; absent for preflights. */
  bucket?: number
  remaining?: number
  resetAt?: number
  cors: CorsOutcome
  /** The rule that blocks, when `cors` is blocked. */
  corsRule?: CorsRule
}

/** Reads row `index` of `columns` as an object. */
export function readRow(columns: PredictionColumns, index: number): RequestPrediction {
  const flags = columns.flags[index] as number
  const preflight = (flags & FLAG_PREFLIGHT) !== 0
  const prediction: RequestPrediction = {
    index,
    startedAt: columns.startedAt[index] as number,
    preflight,
    limited: (flags & FLAG_LIMITED) !== 0,
    cors: CORS_OUTCOMES[columns.cors[index] as number] as CorsOutcome,
  }

  const id = columns.id[index] as number
  if (!Number.isNaN(id)) prediction.id = id
  const status = columns.status[index] as number
  if (status !== 0) prediction.status = status
  if (!preflight) {
    prediction.bucket = columns.bucket[index]
    prediction.remaining = columns.remaining[index]
    prediction.resetAt = columns.resetAt[index]
  }
  const rule = columns.corsRule[index] as number
  if (rule !== 0) prediction.corsRule = CORS_RULES[rule - 1]
  return prediction
}
