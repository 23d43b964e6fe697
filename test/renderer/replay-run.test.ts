import { describe, expect, it } from 'vitest'
import type { ControlEvent, ReplayProgress, ReplayRunSummary } from '../../shared/api'
import type { ExchangeSummary } from '../../shared/exchange'
import { ReplayRunner, type ReplayCalls } from '../../renderer/src/api/replay-run'

const PARAMS = { selection: { session: 'checkout.har' }, pacing: { mode: 'fastest' as const } }

function progress(completed: number, total = 3): ReplayProgress {
  return {
    total,
    sent: completed,
    completed,
    answered: completed,
    failed: 0,
    limited: 0,
    changed: 0,
  }
}

function summary(requests: number): ReplayRunSummary {
  const totals = { requests, succeeded: requests, limited: 0, other: 0, failed: 0, changed: 0 }
  return {
    keys: [],
    totals: { ...totals, skipped: 0, changes: [] },
    cancelled: false,
    durationMs: 12,
    changedRequests: [],
  }
}

function recorded(id: number, replayOf?: number): ControlEvent {
  const row: ExchangeSummary = {
    id,
    kind: 'http',
    startedAt: 0,
    method: 'GET',
    url: '/items',
    httpVersion: '1.1',
    clientAddress: '127.0.0.1',
    requestHeaders: [],
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBodySize: 0,
    responseBodyTruncated: false,
    replayOf,
  }
  return { type: 'traffic.recorded', exchanges: [row] }
}

/** Calls that answer `replay.start` only when the test says so. */
function heldCalls() {
  let answer: (value: { runId: string }) => void = () => {}
  const calls: ReplayCalls = {
    start: () => new Promise((resolve) => (answer = resolve)),
    cancel: async () => ({ cancelled: true }),
  }
  return { calls, answer: (runId: string) => answer({ runId }) }
}

describe('ReplayRunner', () => {
  it('keeps a short run whose events arrive before replay.start answers', async () => {
    const held = heldCalls()
    const runner = new ReplayRunner(held.calls)
    const starting = runner.start(PARAMS, 'Session checkout.har')

    runner.receive({ type: 'replay.progressed', runId: 'run-1', progress: progress(3) })
    runner.receive({ type: 'replay.finished', runId: 'run-1', summary: summary(3) })
    held.answer('run-1')
    await starting

    expect(runner.getState()).toMatchObject({
      phase: 'finished',
      runId: 'run-1',
      progress: progress(3),
      summary: summary(3),
    })
  })

  it('ignores the events of runs it did not start', async () => {
    const runner = new ReplayRunner({
      start: async () => ({ runId: 'mine' }),
      cancel: async () => ({ cancelled: true }),
    })
    await runner.start(PARAMS, 'Session checkout.har')

    runner.receive({ type: 'replay.progressed', runId: 'other', progress: progress(2) })
    runner.receive({ type: 'replay.finished', runId: 'other', summary: summary(2) })

    expect(runner.getState().phase).toBe('running')
    expect(runner.getState().progress).toBeUndefined()
  })

  it('links each replayed exchange to the newest row that replays it', async () => {
    const runner = new ReplayRunner({
      start: async () => ({ runId: 'run' }),
      cancel: async () => ({ cancelled: true }),
    })
    await runner.start(PARAMS, 'Session checkout.har')

    runner.receive(recorded(41, 7))
    runner.receive(recorded(40, 7))
    runner.receive(recorded(42))
    runner.receive(recorded(43, 8))

    expect([...runner.getState().replayRows]).toEqual([
      [7, 41],
      [8, 43],
    ])
  })

  it('says why a run could not start and lets the next one start', async () => {
    let attempts = 0
    const runner = new ReplayRunner({
      start: async () => {
        if (attempts++ === 0) throw new Error('The session "nope" holds no exchanges.')
        return { runId: 'second' }
      },
      cancel: async () => ({ cancelled: true }),
    })

    await runner.start(PARAMS, 'Session nope')
    const failed = runner.getState()
    await runner.start(PARAMS, 'Session checkout.har')

    expect(failed).toMatchObject({ phase: 'idle', error: 'The session "nope" holds no exchanges.' })
    expect(runner.getState()).toMatchObject({ phase: 'running', runId: 'second' })
    expect(runner.getState().error).toBeUndefined()
  })

  it('asks the core to cancel the running run by its id', async () => {
    const cancelled: string[] = []
    const runner = new ReplayRunner({
      start: async () => ({ runId: 'slow' }),
      cancel: async ({ runId }) => (cancelled.push(runId), { cancelled: true }),
    })
    await runner.start(PARAMS, 'Session checkout.har')

    await runner.cancel()

    expect(cancelled).toEqual(['slow'])
    expect(runner.getState().cancelling).toBe(true)
  })
})
