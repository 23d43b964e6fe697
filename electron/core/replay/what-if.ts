/**
 * Offline "what if": recorded traffic run through the gateway's pure policies under a given
 * configuration, the current one or an edited one, to predict which requests would be refused
 * (429), what budget each key would have had, and what a browser would do with each response.
 * Nothing goes over the network. Two configurations can be compared request by request.
 */

import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { BudgetPoint } from '../store'
import {
  CORS_OUTCOMES,
  FLAG_LIMITED,
  FLAG_PREFLIGHT,
  readRow,
  type PredictionColumns,
  type RequestPrediction,
} from './prediction-columns'
import {
  WhatIfSimulator,
  type KeyPrediction,
  type RecordedRequest,
  type WhatIfPolicy,
} from './what-if-simulator'

/** Requests in the order they were recorded: an array, a generator, or a store cursor. */
export type RecordedRequests = Iterable<RecordedRequest> | AsyncIterable<RecordedRequest>

export interface WhatIfOptions {
  /** Requests run between two yields to the event loop, so a long run never stalls the proxy. */
  yieldEvery?: number
  /** Stops the run between requests; the promise then rejects with the abort reason. */
  signal?: AbortSignal
}

/** The outcome of one run. */
export interface WhatIfRun {
  /** Requests run, preflights included. */
  count: number
  /** Per request, in the order given; see `readPrediction`. */
  columns: PredictionColumns
  /** Per budget, in the order first seen; `columns.bucket` indexes this list. */
  keys: KeyPrediction[]
  totals: { requests: number; preflights: number; limited: number; corsBlocked: number }
}

/** A request whose predicted status or CORS outcome differs between two configurations. */
export interface WhatIfDifference {
  index: number
  id?: number
  method: string
  url: string
  startedAt: number
  a: RequestPrediction
  b: RequestPrediction
}

export interface WhatIfComparison {
  a: WhatIfRun
  b: WhatIfRun
  /** In request order. Remaining differs for nearly every request when limits differ, so it is not compared. */
  differences: WhatIfDifference[]
}

const DEFAULT_YIELD_EVERY = 20_000

/**
 * Runs `requests` through `policy` with a manual clock set to each request's start. Preflights
 * get 204 or 403 and are never counted; other requests get 429 when their budget is spent, else
 * their recorded status. Requests must come oldest first; a start earlier than the one before it
 * is read as that one's time, as the limiter does for a clock that steps back.
 */
export async function runWhatIf(
  requests: RecordedRequests,
  policy: WhatIfPolicy,
  options: WhatIfOptions = {},
): Promise<WhatIfRun> {
  const simulator = new WhatIfSimulator(policy)
  await forEachRequest(requests, options, (request) => simulator.step(request))
  return finishRun(simulator)
}

/**
 * Runs the same requests through two configurations side by side, reading them once, and lists
 * the requests whose predicted status or CORS outcome differs.
 */
export async function compareWhatIf(
  requests: RecordedRequests,
  policyA: WhatIfPolicy,
  policyB: WhatIfPolicy,
  options: WhatIfOptions = {},
): Promise<WhatIfComparison> {
  const a = new WhatIfSimulator(policyA)
  const b = new WhatIfSimulator(policyB)
  const differences: WhatIfDifference[] = []

  await forEachRequest(requests, options, (request) => {
    a.step(request)
    b.step(request)
    const row = a.count - 1
    const columnsA = a.currentColumns
    const columnsB = b.currentColumns
    if (
      columnsA.status[row] === columnsB.status[row] &&
      columnsA.cors[row] === columnsB.cors[row]
    ) {
      return
    }
    differences.push({
      index: row,
      id: request.id,
      method: request.method,
      url: request.url,
      startedAt: request.startedAt,
      a: readRow(columnsA, row),
      b: readRow(columnsB, row),
    })
  })
  return { a: finishRun(a), b: finishRun(b), differences }
}

/** One request's prediction as an object. */
export function readPrediction(run: WhatIfRun, index: number): RequestPrediction {
  if (!Number.isInteger(index) || index < 0 || index >= run.count) {
    throw new RangeError(`No request ${index} in a run of ${run.count}.`)
  }
  return readRow(run.columns, index)
}

/**
 * The Remaining series of one budget, by its index in `run.keys` or its bucket name: one point
 * per request charged to it, refused ones included, oldest first.
 */
export function readRemainingSeries(run: WhatIfRun, bucket: number | string): BudgetPoint[] {
  const index = typeof bucket === 'number' ? bucket : run.keys.findIndex((k) => k.bucket === bucket)
  const key = run.keys[index]
  if (key === undefined) return []

  const { columns } = run
  const points: BudgetPoint[] = []
  for (let row = 0; row < run.count; row++) {
    if (columns.bucket[row] !== index) continue
    points.push({
      t: columns.startedAt[row] as number,
      remaining: columns.remaining[row] as number,
      limit: key.limit,
      limited: ((columns.flags[row] as number) & FLAG_LIMITED) !== 0,
    })
  }
  return points
}

async function forEachRequest(
  requests: RecordedRequests,
  options: WhatIfOptions,
  step: (request: RecordedRequest) => void,
): Promise<void> {
  const yieldEvery = Math.max(1, options.yieldEvery ?? DEFAULT_YIELD_EVERY)
  const signal = options.signal
  let sinceYield = 0

  const pause = async () => {
    sinceYield = 0
    await yieldToEventLoop()
    signal?.throwIfAborted()
  }

  signal?.throwIfAborted()
  if (Symbol.asyncIterator in requests) {
    for await (const request of requests) {
      step(request)
      if (++sinceYield >= yieldEvery) await pause()
    }
    return
  }
  for (const request of requests) {
    step(request)
    if (++sinceYield >= yieldEvery) await pause()
  }
}

function finishRun(simulator: WhatIfSimulator): WhatIfRun {
  const { columns, keys } = simulator.finish()
  const blocked = CORS_OUTCOMES.indexOf('blocked')
  const totals = { requests: 0, preflights: 0, limited: 0, corsBlocked: 0 }
  for (let row = 0; row < simulator.count; row++) {
    const flags = columns.flags[row] as number
    if (flags & FLAG_PREFLIGHT) totals.preflights++
    else totals.requests++
    if (flags & FLAG_LIMITED) totals.limited++
    if (columns.cors[row] === blocked) totals.corsBlocked++
  }
  return { count: simulator.count, columns, keys, totals }
}
