import { describe, expect, it } from 'vitest'
import { createManualClock, createMonotonicClock } from '../../electron/core/clock'

function createFakeTimers(wallStart: number, monotonicStart: number) {
  const timers = { wall: wallStart, monotonic: monotonicStart, wallReads: 0 }
  const wallNow = () => {
    timers.wallReads++
    return timers.wall
  }
  return { timers, wallNow, monotonicNow: () => timers.monotonic }
}

describe('createMonotonicClock', () => {
  it('starts at the wall clock and advances with the monotonic timer', () => {
    const { timers, wallNow, monotonicNow } = createFakeTimers(1_767_225_600_000, 5_000.25)
    const clock = createMonotonicClock(wallNow, monotonicNow)

    const start = clock()
    timers.monotonic += 1_500.5
    const later = clock()

    expect(start).toBe(1_767_225_600_000)
    expect(later).toBe(1_767_225_601_500)
  })

  it('ignores a wall-clock jump in either direction', () => {
    const { timers, wallNow, monotonicNow } = createFakeTimers(1_767_225_600_000, 0)
    const clock = createMonotonicClock(wallNow, monotonicNow)

    timers.wall += 3_600_000
    timers.monotonic += 10
    const afterForwardJump = clock()
    timers.wall -= 7_200_000
    timers.monotonic += 10
    const afterBackwardJump = clock()

    expect(afterForwardJump).toBe(1_767_225_600_010)
    expect(afterBackwardJump).toBe(1_767_225_600_020)
    expect(timers.wallReads).toBe(1)
  })

  it('returns whole milliseconds', () => {
    const { timers, wallNow, monotonicNow } = createFakeTimers(1_000, 0)
    const clock = createMonotonicClock(wallNow, monotonicNow)

    timers.monotonic = 0.999

    expect(clock()).toBe(1_000)
  })

  it('reads real time by default', () => {
    const before = Date.now()

    const now = createMonotonicClock()()

    expect(Number.isInteger(now)).toBe(true)
    expect(now).toBeGreaterThanOrEqual(before)
  })
})

describe('createManualClock', () => {
  it('moves only when advanced or set', () => {
    const clock = createManualClock(1_000)

    const start = clock()
    clock.advance(250)
    const advanced = clock()
    clock.set(9_000)

    expect(start).toBe(1_000)
    expect(advanced).toBe(1_250)
    expect(clock()).toBe(9_000)
  })
})
