/**
 * A budget's Remaining over time, rebuilt from the requests it counted. The log only records
 * Remaining at each request, but the sliding window also frees a slot exactly one window after
 * each counted request; replaying both kinds of moment gives the true curve between requests.
 */

import type { BudgetPoint } from '../../../../shared/api'

export interface BudgetCurve {
  /** Epoch seconds, ascending: what uPlot's time axis takes. */
  t: number[]
  remaining: number[]
  limit: number[]
  /** Remaining at each refused request, null elsewhere: the 429 markers. */
  refused: (number | null)[]
  /** The upstream's own Remaining where it reported one, null elsewhere. */
  upstream: (number | null)[]
  /** Remaining now. */
  current: number
  /** Epoch ms when the next counted request leaves the window, if any is still in it. */
  nextRiseAt?: number
}

interface Moment {
  t: number
  /** +1 a request was counted, -1 one left the window, 0 a refused request. */
  change: 1 | -1 | 0
  point?: BudgetPoint
}

export interface CurveOptions {
  windowMs: number
  /** The curve runs from `from` to `now`, epoch ms; earlier points only set the starting state. */
  from: number
  now: number
  /** The limit to draw before the first point says otherwise. */
  limit: number
  /** False in observe-only mode, where refused requests were let through and count. */
  enforced: boolean
}

/** Replays counted requests and their expiries between `from` and `now`. */
export function buildBudgetCurve(points: BudgetPoint[], options: CurveOptions): BudgetCurve {
  const { windowMs, from, now, enforced } = options
  const moments: Moment[] = []
  for (const point of points) {
    const counted = !point.limited || !enforced
    moments.push({ t: point.t, change: counted ? 1 : 0, point })
    if (counted && point.t + windowMs <= now) moments.push({ t: point.t + windowMs, change: -1 })
  }
  // At exactly t0 + window a request no longer counts, so expiries go before arrivals.
  moments.sort((a, b) => a.t - b.t || a.change - b.change)

  const curve: BudgetCurve = {
    t: [],
    remaining: [],
    limit: [],
    refused: [],
    upstream: [],
    current: 0,
  }
  let counted = 0
  let limit = points[0]?.limit ?? options.limit
  const push = (t: number, point?: BudgetPoint) => {
    const remaining = Math.max(0, limit - counted)
    curve.t.push(t / 1000)
    curve.remaining.push(remaining)
    curve.limit.push(limit)
    curve.refused.push(point?.limited ? remaining : null)
    curve.upstream.push(point?.upstreamRemaining ?? null)
  }

  // Moments before the chart only build up the state it starts from.
  let started = false
  for (const moment of moments) {
    if (!started && moment.t >= from) {
      push(from)
      started = true
    }
    counted = Math.max(0, counted + moment.change)
    if (moment.point) limit = moment.point.limit
    if (started) push(moment.t, moment.point)
  }
  if (!started) push(from)
  push(now)
  curve.current = curve.remaining[curve.remaining.length - 1]!

  const windowStart = now - windowMs
  const inWindow = points.filter((p) => (!p.limited || !enforced) && p.t > windowStart)
  if (inWindow.length > 0) curve.nextRiseAt = Math.min(...inWindow.map((p) => p.t)) + windowMs
  return curve
}
