import { describe, expect, it } from 'vitest'
import { maskKey } from '../../shared/keys'

describe('maskKey', () => {
  it('keeps a recognisable prefix and the last four characters of a long key', () => {
    expect(maskKey('sk_live_51HqLyjWDarjtT1zdp7dc9f2c')).toBe('sk_live_\u20269f2c')
    expect(maskKey('ghp_16C7e42F292c6912E7710c838347Ae178B4a')).toBe('ghp_\u20268B4a')
  })

  it('drops the prefix when it would leave too little hidden', () => {
    expect(maskKey('sk_live_abcdefg9f2c')).toBe('\u20269f2c')
  })

  it('shows only the tail of a long key without a prefix', () => {
    expect(maskKey('0123456789abcdef')).toBe('\u2026cdef')
  })

  it('shows one leading and two trailing characters of a short key', () => {
    expect(maskKey('key-a')).toBe('k\u2026-a')
    expect(maskKey('test-key-01')).toBe('t\u202601')
  })

  it('shows nothing of a tiny key', () => {
    expect(maskKey('abcd')).toBe('\u2026')
    expect(maskKey('')).toBe('\u2026')
  })

  it('never returns the key itself', () => {
    const keys = ['a', 'ab12', 'abcde', 'sk_live_9f2c', 'sk_test_0123456789', 'x'.repeat(64)]

    const leaked = keys.filter((key) => maskKey(key).includes(key))

    expect(leaked).toEqual([])
  })
})
