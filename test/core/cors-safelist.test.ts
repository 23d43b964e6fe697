import { describe, expect, it } from 'vitest'

import { findUnsafeHeaderNames, needsPreflight } from '../../electron/core/cors-safelist'

describe('needsPreflight', () => {
  it('lets a plain GET through without asking', () => {
    const raw = ['Accept', 'application/json', 'Accept-Language', 'en-US,en;q=0.9']

    expect(needsPreflight('GET', raw)).toBe(false)
  })

  it('asks for a method other than GET, HEAD or POST', () => {
    expect(needsPreflight('PUT', [])).toBe(true)
    expect(needsPreflight('DELETE', [])).toBe(true)
  })

  it('asks for an author header that is not safelisted', () => {
    expect(needsPreflight('GET', ['X-API-Key', 'k'])).toBe(true)
    expect(needsPreflight('GET', ['Authorization', 'Bearer k'])).toBe(true)
  })

  it('asks for a JSON body but not for text, form or multipart bodies', () => {
    expect(needsPreflight('POST', ['Content-Type', 'application/json'])).toBe(true)
    expect(needsPreflight('POST', ['Content-Type', 'text/plain;charset=UTF-8'])).toBe(false)
    expect(needsPreflight('POST', ['content-type', 'application/x-www-form-urlencoded'])).toBe(
      false,
    )
    expect(needsPreflight('POST', ['Content-Type', 'multipart/form-data; boundary=x'])).toBe(false)
  })

  it('ignores the headers browsers and proxies add themselves', () => {
    const raw = [
      'Host', '127.0.0.1:8787',
      'Origin', 'https://app.example.com',
      'Referer', 'https://app.example.com/',
      'Cookie', 'session=abc',
      'User-Agent', 'Mozilla/5.0',
      'Accept-Encoding', 'gzip, br',
      'Connection', 'keep-alive',
      'Sec-Fetch-Mode', 'cors',
      'Priority', 'u=1, i',
      'Cache-Control', 'no-cache',
      'Pragma', 'no-cache',
      'X-Forwarded-For', '10.0.0.1',
    ] // prettier-ignore

    expect(needsPreflight('GET', raw)).toBe(false)
  })

  it('asks when a safelisted header carries an unsafe value', () => {
    expect(needsPreflight('GET', ['Accept', 'a'.repeat(129)])).toBe(true)
    expect(needsPreflight('GET', ['Accept', 'text/html"'])).toBe(true)
    expect(needsPreflight('GET', ['Accept-Language', 'en(US)'])).toBe(true)
  })
})

describe('findUnsafeHeaderNames', () => {
  it('lists names in lower case, sorted, once each', () => {
    const raw = [
      'X-Trace',
      '1',
      'Content-Type',
      'application/json',
      'x-trace',
      '2',
      'Accept',
      '*/*',
    ]

    expect(findUnsafeHeaderNames(raw)).toEqual(['content-type', 'x-trace'])
  })
})
