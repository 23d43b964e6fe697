import { describe, expect, it } from 'vitest'
import { defaultConfig, type TollgateConfig } from '../../shared/config'
import { createConfigWarner, findConfigWarnings } from '../../electron/core/config-warnings'
import { createLogger } from '../../electron/core/logger'

function configWith(change: (config: TollgateConfig) => void): TollgateConfig {
  const config = defaultConfig(':memory:')
  change(config)
  return config
}

describe('findConfigWarnings', () => {
  it('has nothing to say about the defaults', () => {
    expect(findConfigWarnings(defaultConfig(':memory:'))).toEqual([])
  })

  it('names an allowlist entry that can never match and offers its browser form', () => {
    const config = configWith((c) => (c.cors.allowedOrigins = ['http://localhost:5173/']))

    const [warning] = findConfigWarnings(config)

    expect(warning).toContain('"http://localhost:5173/"')
    expect(warning).toContain('http://localhost:5173')
  })

  it('warns about * with credentials and about listening beyond loopback', () => {
    const config = configWith((c) => {
      c.cors.allowedOrigins = ['*']
      c.cors.allowCredentials = true
      c.listen.host = '0.0.0.0'
    })

    const warnings = findConfigWarnings(config)

    expect(warnings.some((warning) => warning.includes('"*"'))).toBe(true)
    expect(warnings.some((warning) => warning.startsWith('listen.host "0.0.0.0"'))).toBe(true)
  })

  it('warns about a limit of 0, which refuses everything, only while limits are enforced', () => {
    const starved = configWith((c) => {
      c.rateLimit.limit = 0
      c.rateLimit.perKey = { sk_free: { limit: 0 }, sk_paid: { limit: 5 } }
    })
    const observed = configWith((c) => {
      c.rateLimit.limit = 0
      c.rateLimit.enforce = false
    })

    expect(findConfigWarnings(starved)).toEqual([
      expect.stringMatching(/^rateLimit\.limit 0: every request it covers is refused/),
      expect.stringMatching(/^rateLimit\.perKey "sk_free" limit 0: /),
    ])
    expect(findConfigWarnings(observed)).toEqual([])
  })
})

describe('createConfigWarner', () => {
  it('logs each distinct warning once however often the config is applied', () => {
    const lines: string[] = []
    const warn = createConfigWarner(createLogger('test', { write: (line) => lines.push(line) }))
    const config = configWith((c) => (c.cors.allowedOrigins = ['HTTPS://App.example.com']))

    warn(config)
    warn(config)

    expect(lines).toHaveLength(findConfigWarnings(config).length)
    expect(lines[0]).toContain('warn:')
  })
})
