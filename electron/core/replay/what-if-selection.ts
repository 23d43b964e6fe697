/**
 * "What if" runs over a replay selection, summed up for the UI: per budget, and the requests
 * whose outcome differs, either between the current config and a proposed change, or between the
 * current config and what was recorded.
 */

import type { WhatIfDifferenceView, WhatIfResult } from '../../../shared/api'
import type { TollgateConfig, TollgateConfigInput } from '../../../shared/config'
import { resolveConfig } from '../../../shared/config-validate'
import type { LoggedExchange, Store } from '../store'
import { readPrediction, runWhatIf, compareWhatIf } from './what-if'
import type { RecordedRequest } from './what-if-simulator'
import type { ExchangeEdit } from './replay-request'
import { editOf, selectExchanges, type ReplaySelection } from './replay-selection'

/** Differences listed in full; the rest are only counted. */
const MAX_DIFFERENCES = 1000

/**
 * Runs `selection` through the current config, and through `change` applied to it when given.
 * Throws CONFIG_INVALID for a bad change and NOT_FOUND for an empty session or a missing id.
 */
export async function runWhatIfOnSelection(
  store: Pick<Store, 'flush' | 'list' | 'get'>,
  selection: ReplaySelection,
  current: TollgateConfig,
  change?: TollgateConfigInput,
  signal?: AbortSignal,
): Promise<WhatIfResult> {
  const proposed = change === undefined ? undefined : resolveConfig(change, current)
  const { ids } = selectExchanges(store, selection)
  const edit = editOf(selection)
  const recorded: LoggedExchange[] = []

  // Only the few fields a comparison needs are kept; bodies are dropped as rows are read.
  function* requests(): Generator<RecordedRequest> {
    for (const id of ids) {
      const exchange = store.get(id)
      if (exchange === undefined || exchange.kind === 'websocket') continue
      if (proposed === undefined) recorded.push(withoutBodies(exchange))
      yield toRecordedRequest(exchange, edit)
    }
  }

  if (proposed !== undefined) {
    const comparison = await compareWhatIf(requests(), current, proposed, { signal })
    return {
      comparedWith: 'current',
      keys: comparison.b.keys,
      totals: comparison.b.totals,
      differences: comparison.differences.slice(0, MAX_DIFFERENCES).map((difference) => ({
        id: difference.id,
        method: difference.method,
        url: difference.url,
        startedAt: difference.startedAt,
        before: { status: difference.a.status, cors: difference.a.cors },
        after: after(difference.b),
      })),
      differenceCount: comparison.differences.length,
    }
  }

  const run = await runWhatIf(requests(), current, { signal })
  const differences: WhatIfDifferenceView[] = []
  let differenceCount = 0
  for (let row = 0; row < run.count; row++) {
    const prediction = readPrediction(run, row)
    const exchange = recorded[row]!
    if (!differsFromRecording(exchange, prediction)) continue
    differenceCount++
    if (differences.length >= MAX_DIFFERENCES) continue
    differences.push({
      id: exchange.id,
      method: exchange.method,
      url: exchange.url,
      startedAt: exchange.startedAt,
      before: { status: exchange.status, cors: exchange.cors?.outcome },
      after: after(prediction),
    })
  }
  return {
    comparedWith: 'recorded',
    keys: run.keys,
    totals: run.totals,
    differences,
    differenceCount,
  }
}

/** The request a "what if" run sees: the recorded one, with a single-exchange edit applied. */
function toRecordedRequest(
  exchange: LoggedExchange,
  edit: ExchangeEdit | undefined,
): RecordedRequest {
  const request: RecordedRequest = {
    id: exchange.id,
    method: edit?.method ?? exchange.method,
    url: edit?.url ?? exchange.url,
    requestHeaders: edit?.headers ?? exchange.requestHeaders,
    clientAddress: exchange.clientAddress,
    startedAt: exchange.startedAt,
  }
  if (exchange.status !== undefined) request.status = exchange.status
  if (exchange.rateLimit !== undefined) request.rateLimit = { allowed: exchange.rateLimit.allowed }
  return request
}

/**
 * A request differs from its recording when the rate limit decides otherwise (refused then and
 * not now, or the reverse), when its predicted status is known and another, or when a browser
 * would now judge it otherwise than the recorded verdict did.
 */
function differsFromRecording(
  exchange: LoggedExchange,
  prediction: ReturnType<typeof readPrediction>,
): boolean {
  const limitedThen =
    exchange.rateLimit !== undefined ? !exchange.rateLimit.allowed : exchange.status === 429
  if (!prediction.preflight && limitedThen !== prediction.limited) return true
  if (prediction.status !== undefined && prediction.status !== exchange.status) return true
  return exchange.cors !== undefined && exchange.cors.outcome !== prediction.cors
}

function after(prediction: ReturnType<typeof readPrediction>): WhatIfDifferenceView['after'] {
  const view: WhatIfDifferenceView['after'] = { cors: prediction.cors }
  if (prediction.status !== undefined) view.status = prediction.status
  if (prediction.corsRule !== undefined) view.corsRule = prediction.corsRule
  return view
}

function withoutBodies(exchange: LoggedExchange): LoggedExchange {
  const empty = new Uint8Array(0)
  return { ...exchange, requestBody: empty, responseBody: empty, requestHeaders: [] }
}
