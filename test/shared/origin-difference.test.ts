import { describe, expect, it } from 'vitest'

import { describeOriginDifference } from '../../shared/origin-difference'

const ALLOWLIST = ['https://app.example.com', 'http://localhost:5173']

describe('describeOriginDifference', () => {
  it('names the port difference', () => {
    const result = describeOriginDifference('http://localhost:5174', ALLOWLIST)

    expect(result.nearest).toBe('http://localhost:5173')
    expect(result.differences).toHaveLength(1)
    expect(result.differences[0]).toMatch(/port differs \(5174 vs 5173\)/)
    expect(result.differences[0]).toContain('or run the page on port 5173')
  })

  it('offers moving the page to the listed port only when the host is the same', () => {
    const result = describeOriginDifference('http://evil.example', ['http://localhost:3000'])
    const port = result.differences.find((sentence) => sentence.includes('port differs'))

    expect(port).toBeDefined()
    expect(port).not.toContain('run the page on port')
  })

  it('names the scheme difference without a second port sentence', () => {
    const result = describeOriginDifference('http://app.example.com', ALLOWLIST)

    expect(result.nearest).toBe('https://app.example.com')
    expect(result.differences).toHaveLength(1)
    expect(result.differences[0]).toMatch(/scheme differs.*http.*https/)
  })

  it('says that 127.0.0.1 is not localhost', () => {
    const result = describeOriginDifference('http://127.0.0.1:5173', ALLOWLIST)

    expect(result.nearest).toBe('http://localhost:5173')
    expect(result.differences[0]).toContain('127.0.0.1 is not localhost')
  })

  it('recognizes a parent domain', () => {
    const result = describeOriginDifference('https://example.com', ALLOWLIST)

    expect(result.nearest).toBe('https://app.example.com')
    expect(result.differences[0]).toMatch(/example\.com is a parent domain of app\.example\.com/)
  })

  it('recognizes a subdomain', () => {
    const result = describeOriginDifference('https://beta.app.example.com', ALLOWLIST)

    expect(result.differences[0]).toMatch(/subdomain of app\.example\.com/)
  })

  it('calls out a host that only starts with an allowed host', () => {
    const result = describeOriginDifference('https://app.example.com.evil.test', ALLOWLIST)

    expect(result.nearest).toBe('https://app.example.com')
    expect(result.differences[0]).toMatch(/starts with app\.example\.com.*prefix/)
  })

  it('calls out a host that only ends with an allowed host', () => {
    const result = describeOriginDifference('https://evil-app.example.com', ALLOWLIST)

    expect(result.differences[0]).toMatch(/ends with app\.example\.com.*suffix/)
  })

  it('points at an entry with a trailing slash', () => {
    const result = describeOriginDifference('https://app.example.com', ['https://app.example.com/'])

    expect(result.nearest).toBe('https://app.example.com/')
    expect(result.differences).toHaveLength(1)
    expect(result.differences[0]).toMatch(/ends with a slash/)
  })

  it('points at an entry in the wrong case', () => {
    const entries = ['http://localhost:5173', 'HTTPS://App.example.com']

    const result = describeOriginDifference('https://app.example.com', entries)

    expect(result.nearest).toBe('HTTPS://App.example.com')
    expect(result.differences[0]).toMatch(/upper-case/)
  })

  it('explains a request Origin with an explicit default port', () => {
    const result = describeOriginDifference('https://app.example.com:443', ALLOWLIST)

    expect(result.nearest).toBe('https://app.example.com')
    expect(result.differences[0]).toMatch(
      /default port 443.*would send https:\/\/app\.example\.com/,
    )
  })

  it('reports no difference for a listed origin', () => {
    const result = describeOriginDifference('http://localhost:5173', ALLOWLIST)

    expect(result).toEqual({ nearest: 'http://localhost:5173', differences: [] })
  })

  it('explains a null Origin without naming an entry', () => {
    const result = describeOriginDifference('null', ALLOWLIST)

    expect(result.nearest).toBeUndefined()
    expect(result.differences[0]).toMatch(/null.*sandboxed iframes/)
  })

  it('explains an empty allowlist', () => {
    const result = describeOriginDifference('https://app.example.com', [])

    expect(result.nearest).toBeUndefined()
    expect(result.differences[0]).toMatch(/no entry/)
  })
})
