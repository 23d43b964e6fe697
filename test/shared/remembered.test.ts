import { describe, expect, it } from 'vitest'
import { remembered } from '../../shared/remembered'

describe('remembered', () => {
  it('derives each short input once, and a long one every time', () => {
    const calls: string[] = []
    const shout = remembered((input) => {
      calls.push(input)
      return input.toUpperCase()
    })
    const long = 'k'.repeat(513)

    const results = [shout('a'), shout('b'), shout('a'), shout(long), shout(long)]

    expect(results).toEqual(['A', 'B', 'A', long.toUpperCase(), long.toUpperCase()])
    expect(calls).toEqual(['a', 'b', long, long])
  })

  it('starts over once it holds ten thousand inputs, and keeps answering the same', () => {
    let calls = 0
    const double = remembered((input) => {
      calls++
      return input + input
    })

    for (let index = 0; index < 10_000; index++) double(String(index))
    double('0')
    const beforeFull = calls
    double('10000')
    double('0')

    expect(beforeFull).toBe(10_000)
    expect(calls).toBe(10_002)
    expect(double('0')).toBe('00')
  })
})
