import { useEffect, useMemo, useRef } from 'react'
import type { BudgetSummary } from '../../../../shared/api'
import { appStore, reloadBudgets } from '../../api/app-store'
import { useStore } from '../../api/external-store'
import { formatCountdown, formatTime, formatWindow } from '../../lib/format'
import { BudgetChart } from './budget-chart'
import { buildBudgetCurve } from './budget-curve'
import { chartSpanMs, useBudgetSeries } from './use-budget-series'

interface BudgetCardProps {
  budget: BudgetSummary
  now: number
}

/** One key's budget: Remaining now, the countdown to the next free slot, and its history. */
export function BudgetCard({ budget, now }: BudgetCardProps) {
  const generation = useStore(appStore, (state) => state.generation)
  const enforced = useStore(appStore, (state) => state.configView?.config.rateLimit.enforce ?? true)
  const { points, error } = useBudgetSeries(budget.bucket, budget.windowMs, generation)

  // Pushed points can be newer than the last tick of the clock; the chart must reach them, or a
  // burst that just happened would lie past the right edge until the next tick.
  const end = Math.max(now, points[points.length - 1]?.t ?? now)
  const from = end - chartSpanMs(budget.windowMs)
  const curve = useMemo(
    () =>
      buildBudgetCurve(points, {
        windowMs: budget.windowMs,
        from,
        now: end,
        limit: budget.limit,
        enforced,
      }),
    [points, budget.windowMs, budget.limit, from, end, enforced],
  )
  const upstream = [...points].reverse().find((point) => point.upstreamRemaining !== undefined)
  const remaining = points.length > 0 ? curve.current : budget.remaining
  const refusedInWindow = points.filter((p) => p.limited && p.t > now - budget.windowMs).length
  const nextRise = curve.nextRiseAt ?? (budget.resetAt > now ? budget.resetAt : undefined)

  // When a slot frees, the summary from the core is stale: fetch it again (once per rise).
  const lastRise = useRef<number | undefined>(undefined)
  useEffect(() => {
    if (nextRise !== undefined && nextRise <= now && lastRise.current !== nextRise) {
      lastRise.current = nextRise
      void reloadBudgets()
    }
  }, [nextRise, now])

  const title = budget.keyMasked ?? budget.bucket
  const exhausted = remaining === 0
  const share = budget.limit > 0 ? remaining / budget.limit : 0

  return (
    <article className="budget-card" aria-label={`Budget of ${title}`}>
      <header className="budget-head">
        <div>
          <h3>
            <code>{title}</code>
          </h3>
          <div className="muted small">
            {budget.keyMasked ? 'API key' : 'requests without a key'} · {budget.limit} per{' '}
            {formatWindow(budget.windowMs)}
          </div>
        </div>
        <div className="budget-figures">
          <div className={`budget-remaining ${exhausted ? 'text-danger' : ''}`}>
            {remaining}
            <span className="muted"> / {budget.limit}</span>
          </div>
          <div className="small">
            {nextRise === undefined || remaining === budget.limit ? (
              <span className="muted">full budget</span>
            ) : (
              <span
                className={exhausted ? 'text-danger' : ''}
                title="X-RateLimit-Reset: when the oldest counted request leaves the window and Remaining rises"
              >
                {exhausted ? 'Locked out · reset in ' : 'Reset in '}
                <strong className="countdown">{formatCountdown(nextRise - now)}</strong>
              </span>
            )}
          </div>
        </div>
      </header>

      <div
        className="meter"
        role="meter"
        aria-label="Remaining"
        aria-valuemin={0}
        aria-valuemax={budget.limit}
        aria-valuenow={remaining}
      >
        <span className={exhausted ? 'danger' : ''} style={{ width: `${share * 100}%` }} />
      </div>

      <div className="budget-stats small">
        <span className={refusedInWindow > 0 ? 'text-danger' : 'muted'}>
          {Math.max(refusedInWindow, budget.refused)} refused with 429 in this window · last request{' '}
          {formatTime(budget.lastSeenAt)}
        </span>
        {upstream && (
          <span className="upstream-figure">
            Upstream reports {upstream.upstreamRemaining} remaining
          </span>
        )}
      </div>

      {error ? (
        <div className="banner error">{error}</div>
      ) : (
        <BudgetChart curve={curve} from={from} to={end} showUpstream={upstream !== undefined} />
      )}
      <ChartLegend showUpstream={upstream !== undefined} />
    </article>
  )
}

function ChartLegend({ showUpstream }: { showUpstream: boolean }) {
  return (
    <div className="legend small" aria-hidden="true">
      <span className="legend-item remaining">Remaining</span>
      <span className="legend-item limit">Limit</span>
      <span className="legend-item refused">429</span>
      {showUpstream && (
        <span className="legend-item upstream">Upstream remaining (right axis)</span>
      )}
    </div>
  )
}
