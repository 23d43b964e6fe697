import { describe, expect, it } from 'vitest'
import type { HeaderList } from '../../../shared/exchange'
import { forwardedRequestHeaders, stripHopByHop } from '../../../electron/core/proxy/raw-headers'

const context = {
  upstreamHost: 'api.example.test',
  clientAddress: '127.0.0.1',
  proto: 'http' as const,
  method: 'GET',
}

describe('stripHopByHop', () => {
  it('drops every hop-by-hop field in any spelling and keeps the rest in order', () => {
    const list: HeaderList = [
      ['Content-Type', 'application/json'],
      ['CONNECTION', 'keep-alive'],
      ['Keep-Alive', 'timeout=5'],
      ['Set-Cookie', 'a=1'],
      ['Proxy-Connection', 'close'],
      ['Proxy-Authenticate', 'Basic'],
      ['proxy-authorization', 'Basic eA=='],
      ['TE', 'trailers'],
      ['Trailer', 'Expires'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'h2c'],
      ['ETag', '"v1"'],
      ['Set-Cookie', 'b=2'],
    ]

    expect(stripHopByHop(list)).toEqual([
      ['Content-Type', 'application/json'],
      ['Set-Cookie', 'a=1'],
      ['ETag', '"v1"'],
      ['Set-Cookie', 'b=2'],
    ])
  })

  it('drops the fields that Connection names, whatever their length', () => {
    const list: HeaderList = [
      ['Connection', 'X-Trace-Hop, close'],
      ['x-trace-hop', '1'],
      ['Close', 'x'],
      ['X-Kept', '2'],
    ]

    expect(stripHopByHop(list)).toEqual([['X-Kept', '2']])
  })
})

describe('forwardedRequestHeaders', () => {
  it('drops hop-by-hop fields, rewrites Host and adds the forwarding fields', () => {
    const raw = [
      'Host',
      'localhost:8787',
      'Connection',
      'keep-alive, X-Private',
      'X-Private',
      'secret',
      'X-Tenant-Id',
      't1',
      'te',
      'trailers',
    ]

    expect(forwardedRequestHeaders(raw, context)).toEqual({
      headers: [
        'Host',
        'api.example.test',
        'X-Tenant-Id',
        't1',
        'X-Forwarded-For',
        '127.0.0.1',
        'X-Forwarded-Host',
        'localhost:8787',
        'X-Forwarded-Proto',
        'http',
      ],
      hasBody: false,
    })
  })

  it('reads each request by its own names when the same values come with other spellings', () => {
    const first = forwardedRequestHeaders(['Host', 'a', 'X-One', '1'], context)
    const second = forwardedRequestHeaders(['HOST', 'b', 'Keep-Alive', '5', 'X-One', '2'], context)

    expect(first.headers.slice(0, 4)).toEqual(['Host', 'api.example.test', 'X-One', '1'])
    expect(second.headers.slice(0, 4)).toEqual(['HOST', 'api.example.test', 'X-One', '2'])
  })

  it('sends every transfer coding on the first line when chunked comes last, and none otherwise', () => {
    const post = { ...context, method: 'POST' }
    const split = ['Transfer-Encoding', 'gzip', 'X-A', '1', 'transfer-encoding', ' chunked ']
    const combined = ['TRANSFER-ENCODING', 'gzip, chunked']
    const notLast = ['Transfer-Encoding', 'chunked, gzip', 'Content-Length', '4']

    const forwarded = forwardedRequestHeaders(split, post)
    expect(forwarded.hasBody).toBe(true)
    expect(forwarded.headers.slice(0, 6)).toEqual([
      'Host',
      'api.example.test',
      'Transfer-Encoding',
      'gzip,  chunked',
      'X-A',
      '1',
    ])
    expect(forwardedRequestHeaders(combined, post).headers.slice(2, 4)).toEqual([
      'TRANSFER-ENCODING',
      'gzip, chunked',
    ])
    expect(forwardedRequestHeaders(notLast, post).headers).not.toContain('chunked, gzip')
  })
})
