import { describe, expect, it } from 'vitest'
import type { BudgetPoint } from '../../shared/api'
import { buildBudgetCurve } from '../../renderer/src/views/budgets/budget-curve'

const point = (t: number, remaining: number, limited = false): BudgetPoint => ({
  t,
  remaining,
  limit: 3,
  limited,
})
const options = { windowMs: 10_000, from: 0, limit: 3, enforced: true }

/** The curve as [seconds, remaining] pairs, easier to read than parallel arrays. */
const pairs = (curve: ReturnType<typeof buildBudgetCurve>) =>
  curve.t.map((t, index) => [t, curve.remaining[index]])

describe('buildBudgetCurve', () => {
  it('drops on each counted request and rises exactly one window later', () => {
    const points = [point(1000, 2), point(2000, 1)]

    const curve = buildBudgetCurve(points, { ...options, now: 12_500 })

    expect(pairs(curve)).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
      [11, 2],
      [12, 3],
      [12.5, 3],
    ])
    expect(curve.current).toBe(3)
    expect(curve.nextRiseAt).toBeUndefined()
  })

  it('marks refused requests without counting them', () => {
    const points = [point(1000, 2), point(2000, 1), point(3000, 0), point(4000, 0, true)]

    const curve = buildBudgetCurve(points, { ...options, now: 5000 })

    expect(curve.current).toBe(0)
    expect(curve.refused.filter((value) => value !== null)).toEqual([0])
    expect(curve.nextRiseAt).toBe(11_000)
  })

  it('frees a slot before counting a request that arrives at the same moment', () => {
    const points = [point(1000, 2), point(2000, 1), point(3000, 0), point(11_000, 0)]

    const curve = buildBudgetCurve(points, { ...options, now: 11_000 })

    expect(curve.current).toBe(0)
    expect(curve.remaining.every((value) => value >= 0)).toBe(true)
  })

  it('counts requests from before the chart so it starts from the right value', () => {
    const points = [point(1000, 2), point(9000, 1)]

    const curve = buildBudgetCurve(points, { ...options, from: 5000, now: 12_000 })

    expect(pairs(curve)).toEqual([
      [5, 2],
      [9, 1],
      [11, 2],
      [12, 2],
    ])
  })

  it('counts refused requests too in observe-only mode, where they went through', () => {
    const points = [point(1000, 2), point(2000, 1), point(3000, 0), point(4000, 0, true)]

    const curve = buildBudgetCurve(points, { ...options, enforced: false, now: 5000 })

    expect(curve.remaining.at(-1)).toBe(0)
    expect(buildBudgetCurve(points, { ...options, enforced: false, now: 11_500 }).current).toBe(0)
  })

  it('keeps the upstream figure where the upstream reported one', () => {
    const points = [{ ...point(1000, 2), upstreamRemaining: 990 }]

    const curve = buildBudgetCurve(points, { ...options, now: 2000 })

    expect(curve.upstream).toEqual([null, 990, null])
  })
})
