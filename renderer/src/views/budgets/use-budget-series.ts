import { useEffect, useState } from 'react'
import type { BudgetPoint } from '../../../../shared/api'
import { onControlEvent } from '../../api/app-store'
import { call } from '../../api/client'

/** How much history a budget chart shows: three windows, within one minute and two hours. */
export function chartSpanMs(windowMs: number): number {
  return Math.min(2 * 3_600_000, Math.max(60_000, 3 * windowMs))
}

/**
 * A bucket's budget points: history from budgets.series, then one point per exchange the core
 * pushes for that bucket. History reaches one window before the chart so the first slots it
 * draws are counted right.
 */
export function useBudgetSeries(bucket: string, windowMs: number, generation: number) {
  const [points, setPoints] = useState<BudgetPoint[]>([])
  const [error, setError] = useState<string>()

  useEffect(() => {
    let current = true
    const live = new Map<number, BudgetPoint>()
    let history: BudgetPoint[] | undefined
    const keepFrom = () => Date.now() - chartSpanMs(windowMs) - windowMs

    const publish = () => {
      if (!history) return
      const from = keepFrom()
      live.forEach((point, id) => point.t < from && live.delete(id))
      const newest = history[history.length - 1]?.t ?? -Infinity
      const fresh = [...live.values()].filter((point) => point.t > newest)
      setPoints([...history, ...fresh].filter((point) => point.t >= from))
    }

    const unsubscribe = onControlEvent((event) => {
      if (event.type !== 'traffic.recorded') return
      let changed = false
      for (const exchange of event.exchanges) {
        const decision = exchange.rateLimit
        if (decision?.bucket !== bucket) continue
        live.set(exchange.id, {
          t: exchange.startedAt,
          remaining: decision.remaining,
          limit: decision.limit,
          limited: !decision.allowed,
          upstreamRemaining: exchange.upstreamRateLimit?.remaining,
        })
        changed = true
      }
      if (changed) publish()
    })

    call('budgets.series', { bucket, sinceMs: keepFrom() }).then(
      (result) => {
        if (!current) return
        history = result
        setError(undefined)
        publish()
      },
      (failure: Error) => current && setError(failure.message),
    )

    // Old points scroll off the chart; drop them so memory follows the visible span.
    const prune = setInterval(publish, 10_000)
    return () => {
      current = false
      unsubscribe()
      clearInterval(prune)
    }
  }, [bucket, windowMs, generation])

  return { points, error }
}
