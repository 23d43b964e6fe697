/**
 * The control API's methods. Each handler reads what it needs from `ControlCore`, a narrow view
 * of a running Tollgate, so the handlers run in tests without a proxy behind them.
 */

import { version } from '../../../package.json'
import type {
  BudgetSummary,
  ConfigView,
  ControlEvent,
  ControlMethod,
  ExchangeDetail,
  ParamsOf,
  ResultOf,
  StatusInfo,
  TrafficFilter,
} from '../../../shared/api'
import { TRAFFIC_FILTER_CHECKS } from '../../../shared/traffic-filter'
import type { TollgateConfig, TollgateConfigInput } from '../../../shared/config'
import { resolveConfig } from '../../../shared/config-validate'
import { TollgateError } from '../../../shared/errors'
import type { ExchangeSummary, HeaderList } from '../../../shared/exchange'
import { validateOriginList } from '../../../shared/origin'
import { maskCredentials } from '../api-key'
import { readSelectionParams } from '../replay/selection-params'
import type { ReplayService } from '../replay/replay-runs'
import type { Store } from '../store'

/** What the control API needs from a running Tollgate. */
export interface ControlCore {
  /** Everything in StatusInfo but the version, which the control API adds. */
  status(): Omit<StatusInfo, 'version'>
  config(): TollgateConfig
  /** Applies a change or throws CONFIG_INVALID, keeping the old config. */
  updateConfig(change: TollgateConfigInput): TollgateConfig
  /** Saves a change that was applied; absent when nothing is persisted. */
  saveSettings?(change: TollgateConfigInput): void
  store: Pick<Store, 'list' | 'get' | 'clear' | 'budgetSeries' | 'onRecorded'>
  /** Live budgets, all of them or those of the named buckets. */
  budgets(buckets?: string[]): BudgetSummary[]
  /** Epoch milliseconds, from the same clock the limiter reads. */
  now(): number
  /** Replays, "what if" runs and HAR transfers; absent where no proxy runs behind the API. */
  replay?: ReplayService
}

/** Methods that answer later: the control server awaits them. */
type AsyncMethod = 'whatif.run'

export type MethodHandlers = {
  [M in ControlMethod]: (
    params: ParamsOf<M>,
  ) => M extends AsyncMethod ? Promise<ResultOf<M>> : ResultOf<M>
}

/** How far back `budgets.series` reads when the caller names no start. */
const DEFAULT_SERIES_MS = 15 * 60_000

/**
 * Creates the method handlers. `publish` sends an event to every connected UI; the handlers use
 * it for changes that no store listener sees (a cleared log, a new config).
 */
export function createMethods(
  core: ControlCore,
  publish: (event: ControlEvent) => void,
): MethodHandlers {
  const status = (): StatusInfo => ({ ...core.status(), version })

  return {
    'status.get': status,

    'traffic.list'(params) {
      const filter = pickFilter(params.filter)
      const page = core.store.list({
        ...filter,
        before: optionalInteger(params.before, 'before'),
        limit: optionalInteger(params.limit, 'limit'),
      })
      const keyHeaders = core.config().keys.headers
      return { ...page, items: page.items.map((item) => maskSummary(item, keyHeaders)) }
    },

    'traffic.get'(params) {
      const id = requiredInteger(params.id, 'id')
      const exchange = core.store.get(id)
      if (exchange === undefined) {
        throw new TollgateError(
          'NOT_FOUND',
          `No exchange ${id} in the log; it may have been cleared.`,
        )
      }

      const { requestBody, responseBody, ...summary } = exchange
      const shown =
        params.reveal === true ? summary : maskSummary(summary, core.config().keys.headers)
      const detail: ExchangeDetail = {
        ...shown,
        requestBodyBase64: Buffer.from(requestBody).toString('base64'),
        responseBodyBase64: Buffer.from(responseBody).toString('base64'),
      }
      return detail
    },

    'traffic.clear'() {
      core.store.clear()
      publish({ type: 'traffic.cleared' })
      return { cleared: true }
    },

    'budgets.list': () => core.budgets(),

    'budgets.series'(params) {
      if (typeof params.bucket !== 'string' || params.bucket === '') {
        throw new TollgateError('BAD_REQUEST', 'budgets.series needs a bucket, e.g. "key <hash>".')
      }
      const since = optionalInteger(params.sinceMs, 'sinceMs') ?? core.now() - DEFAULT_SERIES_MS
      return core.store.budgetSeries(params.bucket, since)
    },

    'config.get': () => viewConfig(core.config()),

    'config.update'(params) {
      const change = params.change
      const before = core.config()
      refuseFixedFields(change, before)

      const after = core.updateConfig(change)
      try {
        core.saveSettings?.(change)
      } catch (error) {
        // The change must not outlive a restart silently, so it is undone as a whole.
        core.updateConfig(restoreOf(before))
        throw error
      }

      const view = viewConfig(after)
      publish({ type: 'config.changed', view })
      // New limits change what every live budget shows.
      const budgets = core.budgets()
      if (budgets.length > 0) publish({ type: 'budget.changed', budgets })
      if (after.upstream !== before.upstream) publish({ type: 'status.changed', status: status() })
      return view
    },

    'replay.start'(params) {
      const selection = readSelectionParams(params.selection, 'replay.start')
      const options = { pacing: params.pacing, concurrency: params.concurrency }
      return replayOf(core).start(selection, options, publish)
    },

    'replay.cancel'(params) {
      if (typeof params.runId !== 'string') {
        throw new TollgateError('BAD_REQUEST', 'replay.cancel needs the runId replay.start gave.')
      }
      return replayOf(core).cancel(params.runId)
    },

    'whatif.run'(params) {
      const selection = readSelectionParams(params.selection, 'whatif.run')
      return replayOf(core).whatIf(selection, params.change)
    },
  }
}

/** The replay service, or NOT_FOUND where this control API has none. */
export function replayOf(core: ControlCore): ReplayService {
  if (core.replay !== undefined) return core.replay
  throw new TollgateError('NOT_FOUND', 'Replays need a running proxy; this control API has none.')
}

/**
 * Calls a method by name with untrusted params. An unknown method is NOT_FOUND, params that
 * are not an object BAD_REQUEST; errors of the handler pass through.
 */
export function callMethod(
  handlers: MethodHandlers,
  name: string,
  params: unknown,
): unknown | Promise<unknown> {
  if (!Object.hasOwn(handlers, name)) {
    throw new TollgateError(
      'NOT_FOUND',
      `No control method ${JSON.stringify(name)}. Known: ${Object.keys(handlers).join(', ')}.`,
    )
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new TollgateError('BAD_REQUEST', `The params of ${name} must be a JSON object.`)
  }
  const handler = handlers[name as ControlMethod] as (params: unknown) => unknown
  return handler(params)
}

/** The config with advice on each allowlist entry. */
export function viewConfig(config: TollgateConfig): ConfigView {
  const { allowedOrigins, allowCredentials } = config.cors
  return { config, origins: validateOriginList(allowedOrigins, allowCredentials).results }
}

/** A summary with the credentials in its request headers masked (see `maskCredentials`). */
export function maskSummary<T extends ExchangeSummary>(summary: T, keyHeaders: string[]): T {
  return {
    ...summary,
    requestHeaders: maskCredentials(summary.requestHeaders, keyHeaders, summary),
  }
}

/**
 * `listen` and `db` are bound at start, and the sample API exists only when Tollgate started
 * without an upstream: a change to them would give a config that does not describe what runs.
 */
function refuseFixedFields(change: unknown, current: TollgateConfig): void {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new TollgateError('CONFIG_INVALID', 'config.update needs { "change": { ... } }.')
  }
  const next = resolveConfig(change, current)
  const problems: string[] = []
  if (JSON.stringify(next.listen) !== JSON.stringify(current.listen)) {
    problems.push('listen: cannot change while Tollgate runs. Restart it with --host / --port.')
  }
  if (next.db !== current.db) {
    problems.push('db: cannot change while Tollgate runs. Restart it with --db.')
  }
  if (next.upstream === undefined && current.upstream !== undefined) {
    problems.push(
      'upstream: cannot be removed while Tollgate runs. Set another URL, or restart without --upstream for the sample API.',
    )
  }
  if (problems.length > 0) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n')
    throw new TollgateError('CONFIG_INVALID', `The config was refused:\n${list}`)
  }
}

/** A change that puts back every section `config.update` may have touched. */
function restoreOf(config: TollgateConfig): TollgateConfigInput {
  const { upstream, keys, rateLimit, cors, capture, retention } = config
  return { upstream, keys, rateLimit, cors, capture, retention }
}

/** Copies the known filter fields, so a caller cannot reach store-only ones such as `session`. */
function pickFilter(filter: unknown): TrafficFilter {
  if (filter === undefined || filter === null) return {}
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw new TollgateError('BAD_REQUEST', 'traffic.list: filter must be an object.')
  }
  const picked: Record<string, unknown> = {}
  for (const [field, check] of Object.entries(TRAFFIC_FILTER_CHECKS)) {
    const value = (filter as Record<string, unknown>)[field]
    if (value === undefined) continue
    if (!check(value)) {
      throw new TollgateError(
        'BAD_REQUEST',
        `traffic.list: filter.${field} cannot be ${JSON.stringify(value)}.`,
      )
    }
    picked[field] = value
  }
  return picked as TrafficFilter
}

function optionalInteger(value: unknown, name: string): number | undefined {
  return value === undefined || value === null ? undefined : requiredInteger(value, name)
}

function requiredInteger(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  throw new TollgateError(
    'BAD_REQUEST',
    `${name} must be a whole number, got ${JSON.stringify(value)}.`,
  )
}
