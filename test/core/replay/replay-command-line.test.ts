import { describe, expect, it } from 'vitest'
import { parseCommandLine, UsageError } from '../../../electron/core/command-line'

describe('parseCommandLine: replay and mock', () => {
  it('reads the replay source, pacing and concurrency beside the serve flags', () => {
    const command = parseCommandLine([
      'replay',
      'checkout.har',
      '--speed',
      '2.5',
      '--concurrency',
      '8',
      '--limit',
      '60',
    ])

    expect(command.replay).toEqual({
      source: 'checkout.har',
      pacing: { mode: 'original', speed: 2.5 },
      concurrency: 8,
    })
    expect(command.options.rateLimit).toEqual({ limit: 60 })
  })

  it('defaults to the recorded timing, and takes --rate or --fastest instead', () => {
    expect(parseCommandLine(['replay', 's']).replay?.pacing).toEqual({ mode: 'original' })
    expect(parseCommandLine(['replay', 's', '--rate', '50']).replay?.pacing).toEqual({
      mode: 'rate',
      rate: 50,
    })
    expect(parseCommandLine(['replay', 's', '--fastest']).replay?.pacing).toEqual({
      mode: 'fastest',
    })
  })

  it('refuses a missing source, a zero speed, and replay flags on serve', () => {
    expect(() => parseCommandLine(['replay'])).toThrow(UsageError)
    expect(() => parseCommandLine(['replay', 's', '--speed', '0'])).toThrow(
      '--speed takes a number above 0 such as 2 or 0.5, got "0"',
    )
    expect(() => parseCommandLine(['--fastest'])).toThrow('--fastest applies to tollgate replay')
  })

  it('reads --mock with its policy for when the recording runs out', () => {
    expect(parseCommandLine(['--mock', 'feed']).mock).toEqual({ session: 'feed' })
    expect(parseCommandLine(['--mock', 'feed', '--mock-exhausted', 'forward']).mock).toEqual({
      session: 'feed',
      whenExhausted: 'forward',
    })
    expect(() => parseCommandLine(['--mock', 'feed', '--mock-exhausted', 'retry'])).toThrow(
      '--mock-exhausted takes 404 or forward, got "retry"',
    )
  })
})
