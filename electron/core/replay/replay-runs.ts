/**
 * Replays, "what if" runs and HAR transfers as a running Tollgate offers them to its control API:
 * replays run in the background under a run id, report progress a few times a second, and can be
 * cancelled; everything else is one call.
 */

import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {
  ControlEvent,
  ReplayPacing,
  ReplayProgress,
  ReplayRunSummary,
  WhatIfResult,
} from '../../../shared/api'
import type { TollgateConfig, TollgateConfigInput } from '../../../shared/config'
import { TollgateError } from '../../../shared/errors'
import { exportHar, importHar, type HarImportResult, type HarSource } from '../har'
import type { Logger } from '../logger'
import type { ExchangeFilter, Store } from '../store'
import { prepareReplay, type ReplayResult } from './replay'
import type { ReplaySelection } from './replay-selection'
import { hasChanged } from './replay-summary'
import { runWhatIfOnSelection } from './what-if-selection'

/** What the service needs from a running Tollgate. */
export interface ReplayServiceOptions {
  /** The proxy's own URL: replays go nowhere else. */
  gatewayUrl: string
  store: Store
  config(): TollgateConfig
  logger: Logger
  /** Written into exported HAR files as the creator's version. */
  version?: string
}

/** The operations behind `replay.*`, `whatif.run` and the HAR routes. */
export interface ReplayService {
  /** Reads the selection now (throwing when it is unusable) and starts sending in the background. */
  start(
    selection: ReplaySelection,
    options: { pacing?: ReplayPacing; concurrency?: number },
    publish: (event: ControlEvent) => void,
  ): { runId: string }
  cancel(runId: string): { cancelled: boolean }
  whatIf(selection: ReplaySelection, change?: TollgateConfigInput): Promise<WhatIfResult>
  importHar(source: HarSource, session: string): Promise<HarImportResult>
  /** Writes the selected exchanges to a temporary HAR file; the caller streams and removes it. */
  exportHar(filter: ExchangeFilter, revealKeys: boolean): Promise<{ file: string; remove(): void }>
  /** Cancels every run. */
  close(): void
}

/** Least time between two `replay.progressed` events of one run. */
const PROGRESS_INTERVAL_MS = 250
/** Changed requests listed in `replay.finished`; the counts cover them all. */
const MAX_CHANGED_LISTED = 500

/** Creates the service for one Tollgate. */
export function createReplayService(options: ReplayServiceOptions): ReplayService {
  const { store, logger } = options
  const runs = new Map<string, AbortController>()
  const gateway = { url: options.gatewayUrl, store, config: options.config }

  return {
    start(selection, startOptions, publish) {
      const runId = randomUUID()
      const controller = new AbortController()
      const progress = coalesce(PROGRESS_INTERVAL_MS, (latest: ReplayProgress) =>
        publish({ type: 'replay.progressed', runId, progress: latest }),
      )
      const prepared = prepareReplay(gateway, selection, {
        ...startOptions,
        signal: controller.signal,
        onProgress: progress.push,
      })

      const finish = (id: string, summary: ReplayRunSummary) => {
        runs.delete(id)
        progress.flush()
        publish({ type: 'replay.finished', runId: id, summary })
      }

      runs.set(runId, controller)
      logger.info(`replay ${runId}: ${prepared.total} requests through ${options.gatewayUrl}`)
      prepared.run().then(
        (result) => finish(runId, summarize(result)),
        (error: unknown) => {
          logger.error(`replay ${runId} broke off: ${(error as Error)?.stack ?? error}`)
          const code = error instanceof TollgateError ? error.code : 'INTERNAL'
          finish(runId, {
            ...emptySummary(),
            error: { code, message: String((error as Error)?.message ?? error) },
          })
        },
      )

      return { runId }
    },

    cancel(runId) {
      const controller = runs.get(runId)
      if (controller === undefined) return { cancelled: false }
      runs.delete(runId)
      controller.abort()
      return { cancelled: true }
    },

    whatIf: (selection, change) => runWhatIfOnSelection(store, selection, options.config(), change),

    importHar: (source, session) =>
      importHar(store, source, { session, keyHeaders: options.config().keys.headers }),

    async exportHar(filter, revealKeys) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-har-'))
      const file = path.join(dir, 'export.har')
      const remove = () => fs.rmSync(dir, { recursive: true, force: true })
      try {
        await exportHar(store, file, {
          filter,
          revealKeys,
          keyHeaders: options.config().keys.headers,
          version: options.version,
        })
      } catch (error) {
        remove()
        throw error
      }
      return { file, remove }
    },

    close() {
      for (const controller of runs.values()) controller.abort()
    },
  }
}

/** The summary `replay.finished` carries: counts, and the first changed requests in full. */
export function summarize(result: ReplayResult): ReplayRunSummary {
  const summary: ReplayRunSummary = {
    keys: result.keys,
    totals: result.totals,
    cancelled: result.cancelled,
    durationMs: result.durationMs,
    changedRequests: result.requests.filter(hasChanged).slice(0, MAX_CHANGED_LISTED),
  }
  if (result.lateness !== undefined) summary.lateness = result.lateness
  return summary
}

function emptySummary(): ReplayRunSummary {
  const totals = { requests: 0, succeeded: 0, limited: 0, other: 0, failed: 0, changed: 0 }
  return {
    keys: [],
    totals: { ...totals, skipped: 0, changes: [] },
    cancelled: false,
    durationMs: 0,
    changedRequests: [],
  }
}

/**
 * Passes on the first value at once, then at most one per interval: the latest. `flush` sends a
 * value still waiting and stops the timer.
 */
function coalesce<T>(intervalMs: number, send: (value: T) => void) {
  let waiting: T | undefined
  let timer: NodeJS.Timeout | undefined
  const tick = () => {
    timer = undefined
    if (waiting === undefined) return
    send(waiting)
    waiting = undefined
    timer = setTimeout(tick, intervalMs)
  }
  return {
    push(value: T) {
      waiting = value
      if (timer === undefined) tick()
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      if (waiting !== undefined) send(waiting)
      waiting = undefined
    },
  }
}
