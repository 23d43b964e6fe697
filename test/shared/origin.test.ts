import { describe, expect, it } from 'vitest'

import {
  canonicalizeOrigin,
  parseOrigin,
  validateOriginEntry,
  validateOriginList,
} from '../../shared/origin'

describe('parseOrigin', () => {
  it('knows the default ports of http and https', () => {
    const secure = parseOrigin('https://app.example.com')
    const plain = parseOrigin('http://app.example.com')

    expect(secure).toMatchObject({ scheme: 'https', host: 'app.example.com', port: 443, rest: '' })
    expect(plain?.port).toBe(80)
  })

  it('keeps an explicit port, an IPv6 host and trailing text as written', () => {
    const parsed = parseOrigin('http://[::1]:5173/app')

    expect(parsed).toMatchObject({ host: '[::1]', portText: '5173', port: 5173, rest: '/app' })
  })

  it('refuses values that are not origins', () => {
    expect(parseOrigin('app.example.com')).toBeUndefined()
    expect(parseOrigin('https://app.example.com:99999')).toBeUndefined()
    expect(parseOrigin('https://')).toBeUndefined()
  })
})

describe('canonicalizeOrigin', () => {
  it('produces what a browser serializes', () => {
    expect(canonicalizeOrigin('HTTPS://App.Example.com:443/')).toBe('https://app.example.com')
    expect(canonicalizeOrigin('https://bücher.example')).toBe('https://xn--bcher-kva.example')
    expect(canonicalizeOrigin('localhost:5173')).toBe('http://localhost:5173')
    expect(canonicalizeOrigin('NULL')).toBe('null')
  })
})

describe('validateOriginEntry', () => {
  it('accepts an origin in browser form', () => {
    const result = validateOriginEntry('http://localhost:5173', false)

    expect(result).toEqual({
      entry: 'http://localhost:5173',
      valid: true,
      severity: 'ok',
      problems: [],
    })
  })

  it('explains that a trailing slash never matches', () => {
    const result = validateOriginEntry('https://app.example.com/', false)

    expect(result.severity).toBe('error')
    expect(result.valid).toBe(false)
    expect(result.canonical).toBe('https://app.example.com')
    expect(result.problems.join(' ')).toMatch(/slash.*never match.*Use https:\/\/app\.example\.com/)
  })

  it('explains that upper case never matches', () => {
    const result = validateOriginEntry('HTTPS://App.example.com', false)

    expect(result.severity).toBe('error')
    expect(result.canonical).toBe('https://app.example.com')
    expect(result.problems.join(' ')).toMatch(/upper-case.*lower case/)
  })

  it('explains that an explicit default port never matches', () => {
    const result = validateOriginEntry('https://app.example.com:443', false)

    expect(result.severity).toBe('error')
    expect(result.canonical).toBe('https://app.example.com')
    expect(result.problems.join(' ')).toMatch(/default port 443/)
  })

  it('offers a scheme for an entry without one', () => {
    const result = validateOriginEntry('app.example.com', false)

    expect(result.severity).toBe('error')
    expect(result.canonical).toBe('https://app.example.com')
    expect(result.problems.join(' ')).toMatch(/no scheme/)
  })

  it('offers http for a loopback entry without a scheme', () => {
    const result = validateOriginEntry('localhost:5173', false)

    expect(result.canonical).toBe('http://localhost:5173')
  })

  it('names a path and offers the bare origin', () => {
    const result = validateOriginEntry('https://app.example.com/app?x=1', false)

    expect(result.canonical).toBe('https://app.example.com')
    expect(result.problems.join(' ')).toContain('/app?x=1')
  })

  it('offers the punycode form of a Unicode host', () => {
    const result = validateOriginEntry('https://bücher.example', false)

    expect(result.severity).toBe('error')
    expect(result.canonical).toBe('https://xn--bcher-kva.example')
    expect(result.problems.join(' ')).toMatch(/punycode/)
  })

  it('flags whitespace around an entry', () => {
    const result = validateOriginEntry(' https://app.example.com ', false)

    expect(result.severity).toBe('error')
    expect(result.canonical).toBe('https://app.example.com')
    expect(result.problems.join(' ')).toMatch(/whitespace/)
  })

  it('warns that * opens the API to every site', () => {
    const result = validateOriginEntry('*', false)

    expect(result.severity).toBe('warning')
    expect(result.valid).toBe(true)
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatch(/every website/)
  })

  it('warns that * with credentials breaks credentialed reads', () => {
    const result = validateOriginEntry('*', true)

    expect(result.severity).toBe('warning')
    expect(result.problems).toHaveLength(2)
    expect(result.problems[1]).toMatch(/allowCredentials.*refuse/)
  })

  it('refuses * with whitespace around it', () => {
    const result = validateOriginEntry(' *', false)

    expect(result.severity).toBe('error')
    expect(result.canonical).toBe('*')
  })

  it('warns that null is shared by sandboxed iframes, file pages and redirects', () => {
    const result = validateOriginEntry('null', false)

    expect(result.severity).toBe('warning')
    expect(result.canonical).toBeUndefined()
    expect(result.problems[0]).toMatch(/sandboxed iframe.*file:.*redirect/)
  })

  it('refuses a file: entry and points to a local server', () => {
    const result = validateOriginEntry('file:///home/me/index.html', false)

    expect(result.severity).toBe('error')
    expect(result.problems[0]).toMatch(/Origin null/)
  })

  it.each(['*.example.com', 'https://*.example.com', 'http://localhost:*'])(
    'refuses the pattern %s without offering an escaped form of it',
    (entry) => {
      const result = validateOriginEntry(entry, false)

      expect(result.severity).toBe('error')
      expect(result.canonical).toBeUndefined()
      expect(result.problems.at(-1)).toContain('compared exactly')
    },
  )

  it('warns about a scheme no web page sends an Origin from, and accepts an extension', () => {
    const ftp = validateOriginEntry('ftp://x.com', false)
    const extension = validateOriginEntry('chrome-extension://abcdefghijklmnop', false)

    expect(ftp.severity).toBe('warning')
    expect(ftp.problems[0]).toContain('not from ftp: pages')
    expect(extension.severity).toBe('ok')
  })
})

describe('validateOriginList', () => {
  it('returns one result per entry and names repeats', () => {
    const entries = ['http://localhost:5173', 'https://app.example.com/', 'http://localhost:5173']

    const { results, duplicates } = validateOriginList(entries, false)

    expect(results.map((result) => result.severity)).toEqual(['ok', 'error', 'warning'])
    expect(duplicates).toEqual(['http://localhost:5173'])
  })

  it('marks * next to other entries as never matching', () => {
    const { results } = validateOriginList(['*', 'http://localhost:5173'], false)

    expect(results[0]?.severity).toBe('error')
    expect(results[0]?.problems.join(' ')).toMatch(/only entry/)
  })
})
