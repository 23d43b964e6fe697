/**
 * The state every view shares: connection, status, config, budgets, the view in front, the
 * traffic filter and the selected exchange. Lists of traffic live in their own feeds
 * (traffic-feed.ts).
 */

import type {
  BudgetSummary,
  ConfigView,
  ControlEvent,
  StatusInfo,
  TrafficFilter,
} from '../../../shared/api'
import { call, CallError, subscribeEvents, type ConnectionState } from './client'
import { createStore } from './external-store'

export type ViewId = 'traffic' | 'budgets' | 'preflights' | 'rules' | 'replay'

export const VIEW_IDS: readonly ViewId[] = ['traffic', 'budgets', 'preflights', 'rules', 'replay']

export interface AppState {
  connection: ConnectionState
  /** Goes up on every (re)connect, so views reload whatever they missed while offline. */
  generation: number
  status?: StatusInfo
  configView?: ConfigView
  budgets: BudgetSummary[]
  view: ViewId
  /** The Traffic view's filter; the Replay view can replay and export what it selects. */
  trafficFilter: TrafficFilter
  /** The exchange shown in the detail panel. */
  selectedId?: number
  /** Why the shared data could not be loaded, in words for the user. */
  loadError?: string
}

export const appStore = createStore<AppState>({
  connection: 'connecting',
  generation: 0,
  budgets: [],
  view: readViewFromHash(),
  trafficFilter: {},
})

const eventListeners = new Set<(event: ControlEvent) => void>()

/** Calls `listener` with every event the core pushes; returns the unsubscribe function. */
export function onControlEvent(listener: (event: ControlEvent) => void): () => void {
  eventListeners.add(listener)
  return () => eventListeners.delete(listener)
}

export function selectExchange(id: number | undefined) {
  appStore.set({ selectedId: id })
}

export function showView(view: ViewId) {
  appStore.set({ view })
}

export function setTrafficFilter(trafficFilter: TrafficFilter) {
  appStore.set({ trafficFilter })
}

/** Connects to the core and keeps the shared state live. Returns the function that stops it. */
export function startApp(): () => void {
  void reloadShared()
  return subscribeEvents(
    (event) => {
      applyEvent(event)
      eventListeners.forEach((listener) => listener(event))
    },
    (connection) => {
      appStore.set((state) => ({
        connection,
        generation: connection === 'open' ? state.generation + 1 : state.generation,
      }))
      if (connection === 'open' && appStore.get().generation > 1) void reloadShared()
    },
  )
}

/** Fetches status, config and budgets again, e.g. after a reconnect. */
export async function reloadShared() {
  try {
    const [status, configView, budgets] = await Promise.all([
      call('status.get', {}),
      call('config.get', {}),
      call('budgets.list', {}),
    ])
    appStore.set({ status, configView, budgets, loadError: undefined })
  } catch (error) {
    appStore.set({ loadError: describeLoadError(error) })
  }
}

/** Fetches the budgets alone: when a countdown ends, Remaining has risen without an event. */
export async function reloadBudgets() {
  try {
    appStore.set({ budgets: await call('budgets.list', {}) })
  } catch {
    // The connection indicator already tells the user when the core is gone.
  }
}

function applyEvent(event: ControlEvent) {
  switch (event.type) {
    case 'status.changed':
      appStore.set({ status: event.status })
      break
    case 'config.changed':
      appStore.set({ configView: event.view })
      break
    case 'budget.changed':
      appStore.set((state) => ({ budgets: mergeBudgets(state.budgets, event.budgets) }))
      break
    case 'traffic.cleared':
      appStore.set({ selectedId: undefined })
      break
  }
}

function mergeBudgets(known: BudgetSummary[], changed: BudgetSummary[]): BudgetSummary[] {
  const byBucket = new Map(known.map((budget) => [budget.bucket, budget]))
  changed.forEach((budget) => byBucket.set(budget.bucket, budget))
  return [...byBucket.values()]
}

function describeLoadError(error: unknown): string {
  if (error instanceof CallError && error.code === 'UNAUTHORIZED') {
    return 'This page has no valid access token. Open the address Tollgate printed when it started (it ends in #token=…).'
  }
  return error instanceof Error ? error.message : String(error)
}

/** The view named in the address (`#budgets`), so a reload keeps the user where they were. */
function readViewFromHash(): ViewId {
  const name = typeof location === 'undefined' ? '' : location.hash.slice(1)
  return VIEW_IDS.includes(name as ViewId) ? (name as ViewId) : 'traffic'
}
