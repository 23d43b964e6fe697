/**
 * The one source of time for window arithmetic and `X-RateLimit-Reset`. Everything that needs
 * "now" takes a Clock, so tests and replays can hand in their own.
 */

/** Returns the current time in epoch milliseconds. */
export type Clock = () => number

/**
 * A clock that reads the wall clock once, at creation, and from then on only adds the time the
 * monotonic timer has measured. A wall-clock jump (NTP step, DST bug, user changing the date)
 * therefore neither locks a key out nor frees it early. Returns whole milliseconds and never
 * goes backwards.
 */
export function createMonotonicClock(
  wallNow: () => number = Date.now,
  monotonicNow: () => number = () => performance.now(),
): Clock {
  const wallAnchor = wallNow()
  const monotonicAnchor = monotonicNow()

  return () => Math.floor(wallAnchor + (monotonicNow() - monotonicAnchor))
}

/** A clock that moves only when told to: `clock()` reads it, `advance` and `set` move it. */
export interface ManualClock extends Clock {
  advance(ms: number): number
  set(epochMs: number): number
}

/** Creates a ManualClock starting at `startMs`, for tests and "what if" replays. */
export function createManualClock(startMs: number): ManualClock {
  let current = startMs

  return Object.assign(() => current, {
    advance: (ms: number) => (current += ms),
    set: (epochMs: number) => (current = epochMs),
  })
}
