/**
 * The engine of a "what if" run: recorded requests go one by one through the same pure policies
 * the gateway uses (key extraction, the sliding-window limiter, the CORS decisions and verdicts),
 * with a manual clock set to each request's original start. Nothing is sent anywhere.
 */

import { limitFor, type TollgateConfig } from '../../../shared/config'
import type { HeaderList } from '../../../shared/exchange'
import { maskKey } from '../../../shared/keys'
import { bucketFor, extractKey } from '../api-key'
import { createManualClock, type ManualClock } from '../clock'
import { readCorsRequest, type CorsRequest } from '../cors'
import { isSafelistedMethod } from '../cors-safelist'
import { SlidingWindowLimiter, type RateLimitPolicy } from '../limiter'
import { PreflightTracker } from '../preflight-tracker'
import { CorsJudge, type VerdictCodes } from './cors-judge'
import {
  CORS_OUTCOMES,
  FLAG_LIMITED,
  FLAG_PREFLIGHT,
  createColumns,
  resizeColumns,
  type PredictionColumns,
} from './prediction-columns'

/** One recorded request. A `LoggedSummary` from the store fits as it is. */
export interface RecordedRequest {
  id?: number
  method: string
  /** Path and query, or the whole URL for imported traffic. */
  url: string
  requestHeaders: HeaderList
  clientAddress: string
  /** Epoch milliseconds; the run's clock is set to it. */
  startedAt: number
  /** The status the client got in the recording, if any. */
  status?: number
  /** The recorded decision: `allowed: false` marks a 429 Tollgate answered itself. */
  rateLimit?: { allowed: boolean }
}

/** The parts of the configuration a "what if" run reads: a whole TollgateConfig fits. */
export type WhatIfPolicy = Pick<TollgateConfig, 'keys' | 'rateLimit' | 'cors'>

/** What the run found for one budget: a key, or the keyless requests of one address. */
export interface KeyPrediction {
  /** `key <hash>` or `anonymous <ip>`, as the gateway names buckets. */
  bucket: string
  keyMasked?: string
  limit: number
  windowMs: number
  requests: number
  /** Requests predicted to get 429. */
  limited: number
  /** When the first of them started, epoch ms. */
  firstLimitedAt?: number
}

/** The state of one bucket during a run. */
interface BucketState {
  prediction: KeyPrediction
  index: number
  policy: RateLimitPolicy
}

const INITIAL_CAPACITY = 1024
// Buckets with nothing left in their window are dropped this often (in replayed time).
const SWEEP_EVERY_MS = 60_000
const NOT_CORS = CORS_OUTCOMES.indexOf('not-cors')

/** Runs requests through one policy, filling prediction columns. Synchronous; feed it in order. */
export class WhatIfSimulator {
  readonly clock: ManualClock
  private readonly limiter = new SlidingWindowLimiter()
  private readonly preflights = new PreflightTracker()
  private readonly judge: CorsJudge
  private readonly buckets: BucketState[] = []
  private readonly keyed = new Map<string, BucketState>()
  private readonly keyless = new Map<string, BucketState>()
  private readonly byName = new Map<string, BucketState>()
  private readonly flat: string[] = []
  private columns: PredictionColumns = createColumns(INITIAL_CAPACITY)
  private lastSweep = -Infinity
  /** Requests run so far. */
  count = 0

  constructor(private readonly policy: WhatIfPolicy) {
    this.clock = createManualClock(0)
    this.judge = new CorsJudge(policy.cors, policy.rateLimit.draftHeaders)
  }

  /** Runs one request and records its prediction as row `count - 1`. */
  step(request: RecordedRequest): void {
    const row = this.count++
    if (row === this.columns.id.length) {
      this.columns = resizeColumns(this.columns, row, row * 2)
    }
    const columns = this.columns
    const now = this.clock.set(request.startedAt)
    columns.id[row] = request.id ?? NaN
    columns.startedAt[row] = now

    // The header list is flattened into one reused array: the policies read Node's raw form.
    const flat = this.flat
    flat.length = 0
    let hasOrigin = false
    for (const [name, value] of request.requestHeaders) {
      flat.push(name, value)
      if (name.length === 6 && name.toLowerCase() === 'origin') hasOrigin = true
    }
    const cors = hasOrigin ? readCorsRequest(request.method, flat) : undefined

    if (cors?.isPreflight) {
      this.stepPreflight(row, request, cors)
      return
    }
    this.stepRequest(row, request, flat, cors)
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.limiter.sweep(now)
      this.lastSweep = now
    }
  }

  private stepPreflight(row: number, request: RecordedRequest, cors: CorsRequest): void {
    const decision = this.judge.judgePreflight(cors)
    this.preflights.recordPreflight({
      id: request.id ?? row,
      origin: cors.origin as string,
      url: request.url,
      time: request.startedAt,
      passed: decision.passed,
      maxAgeSeconds: decision.maxAgeSeconds,
      method: cors.requestedMethod as string,
      headers: cors.requestedHeaders,
    })

    const columns = this.columns
    columns.status[row] = decision.status
    columns.flags[row] = FLAG_PREFLIGHT
    columns.bucket[row] = -1
    columns.remaining[row] = -1
    columns.resetAt[row] = NaN
    this.writeVerdict(row, decision)
  }

  private stepRequest(
    row: number,
    request: RecordedRequest,
    flat: string[],
    cors: CorsRequest | undefined,
  ): void {
    const { keys, rateLimit } = this.policy
    const now = request.startedAt
    const key = extractKey(flat, keys.headers)
    const bucket = this.findBucket(key, request.clientAddress)
    const decision = this.limiter.consume(
      bucket.prediction.bucket,
      now,
      bucket.policy,
      rateLimit.enforce,
    )

    const columns = this.columns
    const prediction = bucket.prediction
    prediction.requests++
    if (!decision.allowed) {
      prediction.limited++
      prediction.firstLimitedAt ??= now
    }
    // A 429 Tollgate gave itself in the recording says nothing of what the upstream would answer.
    const recorded = request.rateLimit?.allowed === false ? 0 : (request.status ?? 0)
    columns.status[row] = decision.allowed ? recorded : 429
    columns.flags[row] = decision.allowed ? 0 : FLAG_LIMITED
    columns.bucket[row] = bucket.index
    columns.remaining[row] = decision.remaining
    columns.resetAt[row] = decision.resetAt

    if (cors === undefined) {
      columns.cors[row] = NOT_CORS
      columns.corsRule[row] = 0
      return
    }
    this.writeVerdict(row, this.judgeActual(request, cors))
  }

  /** The verdict the gateway would record, paired with the preflight before it as live. */
  private judgeActual(request: RecordedRequest, cors: CorsRequest): VerdictCodes {
    const needsPreflight = !isSafelistedMethod(request.method) || cors.unsafeHeaderNames.length > 0
    const preflight =
      cors.origin !== undefined && needsPreflight
        ? this.preflights.matchActual({
            origin: cors.origin,
            url: request.url,
            method: request.method,
            time: request.startedAt,
            headers: cors.unsafeHeaderNames,
          })
        : undefined
    return this.judge.judgeActual(cors, preflight)
  }

  private writeVerdict(row: number, codes: VerdictCodes): void {
    this.columns.cors[row] = codes.outcome
    this.columns.corsRule[row] = codes.rule
  }

  /**
   * The bucket a request is charged to, found by the raw key or address without building its
   * name; created on first use with its policy resolved once.
   */
  private findBucket(key: string | undefined, clientAddress: string): BucketState {
    const lookups = key === undefined ? this.keyless : this.keyed
    const lookup = key ?? clientAddress
    let state = lookups.get(lookup)
    if (state !== undefined) return state

    // Two spellings of one address (`::ffff:127.0.0.1`, `127.0.0.1`) share the gateway's bucket.
    const name = bucketFor(key, clientAddress)
    state = this.byName.get(name)
    if (state === undefined) {
      const policy = limitFor(this.policy.rateLimit, key)
      const prediction: KeyPrediction = {
        bucket: name,
        limit: policy.limit,
        windowMs: policy.windowMs,
        requests: 0,
        limited: 0,
      }
      if (key !== undefined) prediction.keyMasked = maskKey(key)
      state = { prediction, index: this.buckets.length, policy }
      this.buckets.push(state)
      this.byName.set(name, state)
    }
    lookups.set(lookup, state)
    return state
  }

  /** The columns so far, trimmed to the rows written. */
  finish(): { columns: PredictionColumns; keys: KeyPrediction[] } {
    const columns = resizeColumns(this.columns, this.count, this.count)
    return { columns, keys: this.buckets.map((state) => state.prediction) }
  }

  /** The current columns, untrimmed: rows past `count` are unused. */
  get currentColumns(): PredictionColumns {
    return this.columns
  }
}
