/**
 * How fast "what if" runs go and what they take in memory: a million generated requests in
 * memory, and the same read back from a traffic log file. Run from a test runner or any
 * TypeScript-aware loader; pass `--expose-gc` for a steadier baseline.
 */

import { performance } from 'node:perf_hooks'
import { silentLogger } from '../../../electron/core/logger'
import {
  readRecordedRequests,
  runWhatIf,
  type RecordedRequest,
} from '../../../electron/core/replay'
import { openStore } from '../../../electron/core/store'
import type { HeaderList } from '../../../shared/exchange'
import { makeExchange, makeTempDir } from '../store/helpers'
import { T0, makeConfig } from './what-if-fixtures'

export interface WhatIfBenchFigures {
  requests: number
  seconds: number
  requestsPerSecond: number
  limited: number
  corsBlocked: number
  peakRssBytes: number
  peakHeapBytes: number
}

export interface WhatIfBenchReport {
  inMemory: WhatIfBenchFigures
  fromLog?: WhatIfBenchFigures & { recordSeconds: number }
}

const KEYS = 1_000

/**
 * Request `index` of a mixed workload: 1 000 keys, one keyless request in ten from 20 addresses,
 * half with an Origin (one in ten of those not allowed), and a preflight before every 20th.
 */
export function makeWorkloadRequest(index: number): RecordedRequest {
  const headers: HeaderList = [['Host', 'localhost:8787']]
  if (index % 10 !== 0) {
    headers.push(['Authorization', `Bearer sk_test_${String(index % KEYS).padStart(8, '0')}`])
  }
  const origin =
    index % 2 === 0
      ? index % 20 === 0
        ? 'https://evil.example'
        : 'http://localhost:3000'
      : undefined
  if (origin !== undefined) headers.push(['Origin', origin])

  const preflight = index % 20 === 5
  if (preflight) {
    headers.push(['Origin', 'http://localhost:3000'], ['Access-Control-Request-Method', 'PUT'])
  }
  return {
    id: index + 1,
    method: preflight ? 'OPTIONS' : index % 20 === 6 ? 'PUT' : 'GET',
    url: `/items/${index % 100}`,
    requestHeaders: headers,
    clientAddress: `10.0.0.${index % 20}`,
    // Two requests a millisecond: each key sees 2 a second, past a 60/min limit at times.
    startedAt: T0 + Math.floor(index / 2),
    status: 200,
  }
}

function* generateWorkload(count: number): Generator<RecordedRequest> {
  for (let index = 0; index < count; index++) yield makeWorkloadRequest(index)
}

async function measure(
  run: () => Promise<{ count: number; totals: { limited: number; corsBlocked: number } }>,
): Promise<WhatIfBenchFigures> {
  ;(globalThis as { gc?: () => void }).gc?.()
  let peakRss = 0
  let peakHeap = 0
  const sample = () => {
    const usage = process.memoryUsage()
    peakRss = Math.max(peakRss, usage.rss)
    peakHeap = Math.max(peakHeap, usage.heapUsed)
  }
  const sampler = setInterval(sample, 10)

  const started = performance.now()
  const result = await run()
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  sample()
  return {
    requests: result.count,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round(result.count / seconds),
    limited: result.totals.limited,
    corsBlocked: result.totals.corsBlocked,
    peakRssBytes: peakRss,
    peakHeapBytes: peakHeap,
  }
}

/** Runs `count` generated requests through the default policy, then (with `fromLog`) via a log file. */
export async function benchWhatIf(count = 1_000_000, fromLog = true): Promise<WhatIfBenchReport> {
  const config = makeConfig()
  const inMemory = await measure(() => runWhatIf(generateWorkload(count), config))
  if (!fromLog) return { inMemory }

  const temp = makeTempDir()
  const store = openStore({ path: temp.file, logger: silentLogger, maxPending: 1_000_000 })
  const recordStarted = performance.now()
  for (let index = 0; index < count; index++) {
    const { rateLimit: _recorded, ...request } = makeWorkloadRequest(index)
    store.record(makeExchange(index + 1, request))
    if (index % 5_000 === 4_999) store.flush()
  }
  store.flush()
  const recordSeconds = Math.round((performance.now() - recordStarted) / 10) / 100

  const logged = await measure(() => runWhatIf(readRecordedRequests(temp.file), config))
  store.close()
  temp.remove()
  return { inMemory, fromLog: { ...logged, recordSeconds } }
}
