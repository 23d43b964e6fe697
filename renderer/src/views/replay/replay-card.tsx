import { useState, useSyncExternalStore } from 'react'
import type { ReplayProgress } from '../../../../shared/api'
import { useStore } from '../../api/external-store'
import { PacingFields } from './pacing-fields'
import { ReplaySummaryView } from './replay-summary'
import { buildConcurrency, buildPacing } from './replay-setup'
import { replayRunner, replaySetup } from './replay-store'
import { useReplaySelection } from './use-replay-selection'

/** Sends the selection through the gateway again, with live progress and a summary per key. */
export function ReplayCard() {
  const run = useSyncExternalStore(replayRunner.subscribe, replayRunner.getState)
  const pacingDraft = useStore(replaySetup, (state) => state.pacing)
  const concurrencyText = useStore(replaySetup, (state) => state.concurrency)
  const selection = useReplaySelection()
  const [problems, setProblems] = useState<string[]>([])
  const busy = run.phase === 'starting' || run.phase === 'running'

  const start = () => {
    const pacing = buildPacing(pacingDraft)
    const concurrency = buildConcurrency(concurrencyText)
    const found = [selection, pacing, concurrency].flatMap((b) =>
      'problems' in b ? b.problems : [],
    )
    setProblems(found)
    if ('problems' in selection || 'problems' in pacing || 'problems' in concurrency) return

    void replayRunner.start(
      { selection: selection.value, pacing: pacing.value, concurrency: concurrency.value },
      `${selection.label}, ${pacing.label}`,
    )
  }

  return (
    <section className="card" aria-labelledby="replay-heading">
      <h2 id="replay-heading">Replay through the gateway</h2>
      <p className="hint">
        Each request goes to Tollgate's own proxy again, so today's limits and CORS rules decide it;
        the new rows appear in Traffic, linked to the ones they replay.
      </p>
      <PacingFields disabled={busy} />

      <div className="actions run-actions">
        <button type="button" className="button primary" disabled={busy} onClick={start}>
          {run.phase === 'starting' ? 'Starting…' : 'Start replay'}
        </button>
        <button
          type="button"
          className="button"
          disabled={run.phase !== 'running' || run.cancelling}
          onClick={() => void replayRunner.cancel()}
        >
          {run.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
        {run.label && <span className="muted ellipsis">{run.label}</span>}
      </div>

      {(problems.length > 0 || run.error) && (
        <ul className="problems error" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
          {run.error && <li>{run.error}</li>}
        </ul>
      )}
      {run.progress && <ProgressBar progress={run.progress} finished={run.phase === 'finished'} />}
      {run.summary && <ReplaySummaryView summary={run.summary} replayRows={run.replayRows} />}
    </section>
  )
}

function ProgressBar({ progress, finished }: { progress: ReplayProgress; finished: boolean }) {
  const { total, sent, completed } = progress
  const share = total === 0 ? 1 : completed / total

  return (
    <div className="replay-progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Replay progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={completed}
      >
        <div
          className={`progress-fill ${finished ? 'done' : ''}`}
          style={{ width: `${share * 100}%` }}
        />
      </div>
      <div className="progress-figures" aria-live="polite">
        <span>
          <strong>{sent}</strong> sent
        </span>
        <span>
          <strong>{progress.answered}</strong> answered
        </span>
        <span>
          of <strong>{total}</strong>
        </span>
        {progress.limited > 0 && <span className="text-danger">{progress.limited} × 429</span>}
        {progress.failed > 0 && <span className="text-danger">{progress.failed} failed</span>}
        {progress.changed > 0 && <span>{progress.changed} changed</span>}
      </div>
    </div>
  )
}
