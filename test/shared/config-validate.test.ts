import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../shared/config'
import { parseDuration, resolveConfig } from '../../shared/config-validate'
import { TollgateError } from '../../shared/errors'

const base = defaultConfig('/tmp/traffic.db')

function refusal(input: unknown): string {
  try {
    resolveConfig(input, base)
  } catch (error) {
    expect(error).toBeInstanceOf(TollgateError)
    expect((error as TollgateError).code).toBe('CONFIG_INVALID')
    return (error as Error).message
  }
  throw new Error('the config was accepted')
}

describe('resolveConfig', () => {
  it('merges a partial config over the base and leaves the base untouched', () => {
    const merged = resolveConfig({ rateLimit: { limit: 5 }, cors: { maxAge: 0 } }, base)

    expect(merged.rateLimit).toMatchObject({ limit: 5, windowMs: 60_000 })
    expect(merged.cors.maxAge).toBe(0)
    expect(merged.cors.allowedOrigins).toEqual(['http://localhost:3000'])
    expect(base.rateLimit.limit).toBe(60)
  })

  it('names every bad field with its value in one refusal', () => {
    const message = refusal({
      listen: { port: 70_000 },
      upstream: 'ftp://files.example',
      rateLimit: { limit: -1, windowMs: '1m' },
      cors: { allowedHeaders: ['X API Key'] },
    })

    expect(message).toContain('listen.port')
    expect(message).toContain('70000')
    expect(message).toContain('ftp:')
    expect(message).toContain('rateLimit.limit')
    expect(message).toContain('rateLimit.windowMs')
    expect(message).toContain('"1m"')
    expect(message).toContain('cors.allowedHeaders[0]')
  })

  it('refuses unknown fields so typos do not pass silently', () => {
    expect(refusal({ cors: { allowOrigins: ['http://a.test'] } })).toContain(
      'cors.allowOrigins: unknown field',
    )
    expect(refusal({ rateLimits: {} })).toContain('rateLimits: unknown field')
  })

  it('checks per-key overrides field by field', () => {
    const merged = resolveConfig({ rateLimit: { perKey: { gold: { limit: 120 } } } }, base)

    expect(merged.rateLimit.perKey).toEqual({ gold: { limit: 120 } })
    expect(refusal({ rateLimit: { perKey: { gold: { limt: 1 } } } })).toContain('["gold"].limt')
  })

  it('refuses something that is not an object', () => {
    expect(refusal([1, 2])).toContain('must be a JSON object')
  })
})

describe('parseDuration', () => {
  it('reads plain milliseconds and ms, s, m and h suffixes', () => {
    expect(parseDuration('60000')).toBe(60_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('60s')).toBe(60_000)
    expect(parseDuration('1m')).toBe(60_000)
    expect(parseDuration('1h')).toBe(3_600_000)
  })

  it('refuses what is not a positive duration', () => {
    expect(parseDuration('soon')).toBeUndefined()
    expect(parseDuration('0')).toBeUndefined()
    expect(parseDuration('-5s')).toBeUndefined()
  })
})
