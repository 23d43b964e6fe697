/**
 * When each replayed request leaves. Timers alone fire a millisecond or more late, and later under
 * load, so the wait sleeps until shortly before the deadline and covers the rest by yielding to the
 * event loop turn by turn with `setImmediate`, which keeps sockets served while it spins.
 */

import { performance } from 'node:perf_hooks'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type { ReplayPacing } from '../../../shared/api'
import { TollgateError } from '../../../shared/errors'

export type { ReplayPacing }

/** How long before a deadline the timer hands over to the spin, in milliseconds. */
const SPIN_MS = 2

/** Refuses pacing that cannot be followed, naming the value and the fix. */
export function checkPacing(pacing: ReplayPacing): ReplayPacing {
  const positive = (value: unknown) => typeof value === 'number' && value > 0 && isFinite(value)
  if (pacing?.mode === 'original') {
    if (pacing.speed === undefined || positive(pacing.speed)) return pacing
    throw new TollgateError(
      'BAD_REQUEST',
      `Replay speed ${JSON.stringify(pacing.speed)} is not a positive number. Use 1 for the recorded timing, 2 for twice as fast, 0.5 for half.`,
    )
  }
  if (pacing?.mode === 'rate') {
    if (positive(pacing.rate)) return pacing
    throw new TollgateError(
      'BAD_REQUEST',
      `Replay rate ${JSON.stringify(pacing.rate)} is not a positive number of requests a second, such as 50.`,
    )
  }
  if (pacing?.mode === 'fastest') return pacing
  throw new TollgateError(
    'BAD_REQUEST',
    `Replay pacing ${JSON.stringify(pacing)} is not one of { mode: 'original', speed? }, { mode: 'rate', rate } or { mode: 'fastest' }.`,
  )
}

/**
 * Milliseconds after the run's start at which request `index` is due: `startedAt` is its recorded
 * start and `firstStartedAt` that of the first request. Undefined means "no schedule".
 */
export function dueOffset(
  pacing: ReplayPacing,
  index: number,
  startedAt: number,
  firstStartedAt: number,
): number | undefined {
  if (pacing.mode === 'fastest') return undefined
  if (pacing.mode === 'rate') return (index * 1000) / pacing.rate
  // Recorded clocks may step back; such a request is due with the one before it.
  return Math.max(0, startedAt - firstStartedAt) / (pacing.speed ?? 1)
}

/** The longest delay a Node timer takes as given (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Resolves at `deadline` (a `performance.now()` reading) or just after it. Rejects with the
 * abort reason when `signal` aborts first.
 */
export async function waitUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  // A timer holds at most MAX_TIMER_MS; a longer wait (a recording spanning weeks, a tiny speed)
  // sleeps in steps rather than overflowing into a 1 ms timer and spinning.
  for (;;) {
    const sleepFor = deadline - performance.now() - SPIN_MS
    if (sleepFor <= 0) break
    await sleep(Math.min(sleepFor, MAX_TIMER_MS), undefined, { signal })
  }

  while (performance.now() < deadline) {
    await nextTurn()
    signal?.throwIfAborted()
  }
}
