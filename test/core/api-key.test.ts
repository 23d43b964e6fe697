import { describe, expect, it } from 'vitest'
import { bucketFor, extractKey, hashKey, maskCredentials } from '../../electron/core/api-key'
import { maskKey } from '../../shared/keys'

const DEFAULT_HEADERS = ['Authorization', 'X-API-Key']

describe('extractKey', () => {
  it('reads a Bearer token whatever the case of the scheme', () => {
    const keys = ['Bearer', 'bearer', 'BEARER'].map((scheme) =>
      extractKey(['authorization', `${scheme} sk_test_1`], DEFAULT_HEADERS),
    )

    expect(keys).toEqual(['sk_test_1', 'sk_test_1', 'sk_test_1'])
  })

  it('prefers Authorization over X-API-Key', () => {
    const rawHeaders = ['X-API-Key', 'from-header', 'Authorization', 'Bearer from-bearer']

    expect(extractKey(rawHeaders, DEFAULT_HEADERS)).toBe('from-bearer')
  })

  it('falls through to X-API-Key when Authorization has another scheme', () => {
    const rawHeaders = ['Authorization', 'Basic dXNlcjpwYXNz', 'x-api-key', 'key-a']

    expect(extractKey(rawHeaders, DEFAULT_HEADERS)).toBe('key-a')
  })

  it('falls through when the Bearer token is missing', () => {
    const rawHeaders = ['Authorization', 'Bearer ', 'X-API-Key', 'key-a']

    expect(extractKey(rawHeaders, DEFAULT_HEADERS)).toBe('key-a')
  })

  it('gives no key for a key header sent twice, without falling through', () => {
    const twiceBearer = ['Authorization', 'Bearer one', 'Authorization', 'Bearer two']
    const twiceApiKey = ['X-API-Key', 'one', 'x-api-key', 'two']

    expect(extractKey([...twiceBearer, 'X-API-Key', 'key-a'], DEFAULT_HEADERS)).toBeUndefined()
    expect(extractKey(twiceApiKey, DEFAULT_HEADERS)).toBeUndefined()
  })

  it('treats an empty value as no key', () => {
    expect(extractKey(['X-API-Key', ''], DEFAULT_HEADERS)).toBeUndefined()
    expect(extractKey([], DEFAULT_HEADERS)).toBeUndefined()
  })

  it('reads only the configured headers, in the configured order', () => {
    const rawHeaders = ['Authorization', 'Bearer bearer-key', 'X-Client-Token', 'token-key']

    expect(extractKey(rawHeaders, ['X-Client-Token', 'Authorization'])).toBe('token-key')
    expect(extractKey(rawHeaders, ['X-API-Key'])).toBeUndefined()
  })

  it('keeps the key exactly as sent, case included', () => {
    expect(extractKey(['X-API-Key', 'Key-A'], DEFAULT_HEADERS)).toBe('Key-A')
  })
})

describe('bucketFor', () => {
  it('names keyed buckets by the key hash', () => {
    expect(bucketFor('abc', '127.0.0.1')).toBe('key ba7816bf8f01cfea')
  })

  it('puts keyless requests in a bucket per client address', () => {
    expect(bucketFor(undefined, '127.0.0.2')).toBe('anonymous 127.0.0.2')
    expect(bucketFor('', '::1')).toBe('anonymous ::1')
  })

  it('shows an IPv4-mapped address in its IPv4 form', () => {
    expect(bucketFor(undefined, '::ffff:192.168.1.20')).toBe('anonymous 192.168.1.20')
    expect(bucketFor(undefined, '::ffff:c0a8:114')).toBe('anonymous ::ffff:c0a8:114')
  })
})

describe('hashKey', () => {
  it('returns the first 16 hex characters of the SHA-256', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea')
  })

  it('tells keys differing only in case apart', () => {
    expect(hashKey('Key-A')).not.toBe(hashKey('key-a'))
  })
})

describe('maskCredentials', () => {
  const key = 'ck_test_7e6d5c4b3a291807'
  const recorded = { keyMasked: maskKey(key), keyHash: hashKey(key) }

  it('masks key headers, credentials with their scheme kept, and the logged key wherever it is', () => {
    const masked = maskCredentials(
      [
        ['Authorization', 'Bearer sk_live_4f8a1c2e9b7d9f2c'],
        ['Proxy-Authorization', 'Basic dXNlcjpwYXNz'],
        ['X-API-Key', 'pk_test_0a1b2c3d4e5f6789'],
        ['X-Moved-Key', key],
        ['X-Other', 'ends-like-the-key-1807'],
      ],
      ['X-Token'],
      recorded,
    )

    expect(masked).toEqual([
      ['Authorization', 'Bearer sk_live_…9f2c'],
      ['Proxy-Authorization', `Basic ${maskKey('dXNlcjpwYXNz')}`],
      ['X-API-Key', 'pk_test_…6789'],
      ['X-Moved-Key', maskKey(key)],
      ['X-Other', 'ends-like-the-key-1807'],
    ])
  })

  it('shows a scheme with no credential after it as it is', () => {
    const lines: [string, string][] = [
      ['Authorization', 'Bearer'],
      ['Authorization', 'Bearer '],
    ]

    expect(maskCredentials(lines, [])).toEqual(lines)
  })
})
