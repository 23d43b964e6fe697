import { describe, expect, it } from 'vitest'
import { MAX_TIMER_MS, waitUntil } from '../../../electron/core/replay/replay-pacing'

describe('waitUntil', () => {
  it('sleeps through a wait longer than a timer can hold instead of spinning', async () => {
    const controller = new AbortController()
    const cpuBefore = process.cpuUsage()

    const waiting = waitUntil(performance.now() + 2 * MAX_TIMER_MS, controller.signal)
    setTimeout(() => controller.abort(new Error('stopped')), 300)
    await expect(waiting).rejects.toThrow()

    // Spinning would burn the whole 300 ms; sleeping uses next to none of it.
    const { user, system } = process.cpuUsage(cpuBefore)
    expect((user + system) / 1000).toBeLessThan(100)
  })
})
