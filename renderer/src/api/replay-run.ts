/**
 * The replay this UI started, followed from `replay.start` to `replay.finished`: its progress,
 * its summary, and the log rows its requests became. Plain TypeScript so it runs in tests.
 */

import type {
  ControlEvent,
  ParamsOf,
  ReplayProgress,
  ReplayRunSummary,
  ResultOf,
} from '../../../shared/api'

export interface ReplayCalls {
  start(params: ParamsOf<'replay.start'>): Promise<ResultOf<'replay.start'>>
  cancel(params: ParamsOf<'replay.cancel'>): Promise<ResultOf<'replay.cancel'>>
}

export interface ReplayRunState {
  phase: 'idle' | 'starting' | 'running' | 'finished'
  /** What is replayed, in words: the selection and the pacing. */
  label?: string
  runId?: string
  progress?: ReplayProgress
  summary?: ReplayRunSummary
  /** Why the run could not start or be cancelled. */
  error?: string
  cancelling: boolean
  /** The log row each replayed request became, by the id of the exchange it replays. */
  replayRows: ReadonlyMap<number, number>
}

const IDLE: ReplayRunState = { phase: 'idle', cancelling: false, replayRows: new Map() }

export class ReplayRunner {
  private state = IDLE
  private listeners = new Set<() => void>()
  /** Events that came before `replay.start` answered with the run's id. */
  private early: ControlEvent[] = []

  constructor(private readonly calls: ReplayCalls) {}

  getState = () => this.state
  subscribe = (listener: () => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get busy(): boolean {
    return this.state.phase === 'starting' || this.state.phase === 'running'
  }

  /** Starts a run, unless one of this UI's runs is still going. */
  async start(params: ParamsOf<'replay.start'>, label: string): Promise<void> {
    if (this.busy) return
    this.early = []
    this.state = { ...IDLE, phase: 'starting', label }
    this.notify()

    try {
      const { runId } = await this.calls.start(params)
      this.update({ phase: 'running', runId })
    } catch (error) {
      this.update({ phase: 'idle', error: (error as Error).message })
      return
    }

    // The core may report a short run before its id reaches us over HTTP.
    const early = this.early
    this.early = []
    early.forEach((event) => this.receive(event))
  }

  async cancel(): Promise<void> {
    const { phase, runId } = this.state
    if (phase !== 'running' || runId === undefined) return
    this.update({ cancelling: true })
    try {
      await this.calls.cancel({ runId })
    } catch (error) {
      this.update({ cancelling: false, error: (error as Error).message })
    }
  }

  /** Takes every event the core pushes; keeps what concerns this UI's run. */
  receive(event: ControlEvent): void {
    if (event.type === 'traffic.recorded') return this.takeRows(event.exchanges)
    if (event.type !== 'replay.progressed' && event.type !== 'replay.finished') return
    if (this.state.phase === 'starting') {
      this.early.push(event)
      return
    }
    if (event.runId !== this.state.runId) return

    if (event.type === 'replay.progressed') {
      if (this.state.phase === 'running') this.update({ progress: event.progress })
      return
    }
    this.update({ phase: 'finished', summary: event.summary, cancelling: false })
  }

  /**
   * Notes the rows replays add to the log. Their events may trail `replay.finished`, so they are
   * taken until the next run; the newest row per exchange wins, which is this run's.
   */
  private takeRows(exchanges: { id: number; replayOf?: number }[]): void {
    if (this.state.phase === 'idle') return
    let rows: Map<number, number> | undefined
    for (const exchange of exchanges) {
      if (exchange.replayOf === undefined) continue
      const known = (rows ?? this.state.replayRows).get(exchange.replayOf)
      if (known !== undefined && known >= exchange.id) continue
      rows ??= new Map(this.state.replayRows)
      rows.set(exchange.replayOf, exchange.id)
    }
    if (rows !== undefined) this.update({ replayRows: rows })
  }

  private update(patch: Partial<ReplayRunState>) {
    this.state = { ...this.state, ...patch }
    this.notify()
  }

  private notify() {
    this.listeners.forEach((listener) => listener())
  }
}
