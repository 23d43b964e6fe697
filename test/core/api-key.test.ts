import { describe, expect, it } from 'vitest'
import { bucketFor, extractKey, hashKey } from '../../electron/core/api-key'

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
