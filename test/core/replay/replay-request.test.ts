import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { hashKey } from '../../../electron/core/api-key'
import { buildReplayRequest, takeReplayMarker } from '../../../electron/core/replay'
import { toRequestTarget } from '../../../electron/core/replay/request-target'
import { makeExchange } from '../store/helpers'

const CONTEXT = {
  gatewayHost: '127.0.0.1:9999',
  keyHeaders: ['Authorization', 'X-API-Key'],
  clientAddress: '127.0.0.1',
}

/** The header lines of a flat list as pairs, for readable expectations. */
function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = []
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!])
  return out
}

describe('buildReplayRequest', () => {
  it('keeps every line in order and spelling, with the gateway in place of Host and Connection kept alive', () => {
    const exchange = makeExchange(7, {
      method: 'POST',
      requestHeaders: [
        ['X-First', '1'],
        ['Connection', 'close'],
        ['HOST', 'api.example.com'],
        ['x-dup', 'a'],
        ['X-Dup', 'b'],
        ['Content-Length', '3'],
      ],
      requestBody: Buffer.from('abc'),
      requestBodySize: 3,
    })

    const request = buildReplayRequest(exchange, CONTEXT)

    expect(pairs(request.headers)).toEqual([
      ['X-First', '1'],
      ['Connection', 'keep-alive'],
      ['HOST', '127.0.0.1:9999'],
      ['x-dup', 'a'],
      ['X-Dup', 'b'],
      ['Content-Length', '3'],
      ['X-Tollgate-Replay-Of', '7'],
    ])
    expect(Buffer.from(request.body).toString()).toBe('abc')
  })

  it('sends a value past Latin-1, such as a masked key from an export, as its UTF-8 bytes', () => {
    const exchange = makeExchange(9, { requestHeaders: [['X-API-Key', 'sk_test_…f2b9']] })

    const request = buildReplayRequest(exchange, CONTEXT)
    const value = pairs(request.headers).find(([name]) => name === 'X-API-Key')![1]

    expect(Buffer.from(value, 'latin1').toString('utf8')).toBe('sk_test_…f2b9')
    expect(() => http.validateHeaderValue('X-API-Key', value)).not.toThrow()
  })

  it('drops HTTP/2 pseudo-headers, puts Host first, and rewrites a whole URL to its path and query', () => {
    const exchange = makeExchange(3, {
      url: 'https://api.example.com/v1/items?q=a%20b&x=%2F#part',
      requestHeaders: [
        [':authority', 'api.example.com'],
        [':method', 'GET'],
        ['accept', '*/*'],
      ],
    })

    const request = buildReplayRequest(exchange, CONTEXT)

    expect(request.target).toBe('/v1/items?q=a%20b&x=%2F')
    expect(pairs(request.headers)).toEqual([
      ['Host', '127.0.0.1:9999'],
      ['accept', '*/*'],
      ['X-Tollgate-Replay-Of', '3'],
    ])
  })

  it('corrects a Content-Length that does not state the body, in place, and marks a cut body', () => {
    const exchange = makeExchange(4, {
      method: 'PUT',
      requestHeaders: [
        ['Content-Length', '5000'],
        ['X-After', 'kept'],
        ['content-length', '5000'],
      ],
      requestBody: Buffer.from('first bytes'),
      requestBodySize: 5000,
      requestBodyTruncated: true,
    })

    const request = buildReplayRequest(exchange, CONTEXT)

    expect(pairs(request.headers)).toEqual([
      ['Host', '127.0.0.1:9999'],
      ['Content-Length', '11'],
      ['X-After', 'kept'],
      ['X-Tollgate-Replay-Of', '4'],
    ])
    expect(request.bodyTruncated).toBe(true)
  })

  it('leaves a chunked body chunked and adds a length to an unframed POST', () => {
    const chunked = makeExchange(5, {
      method: 'POST',
      requestHeaders: [
        ['Transfer-Encoding', 'chunked'],
        ['Content-Length', '2'],
      ],
      requestBody: Buffer.from('hi'),
      requestBodySize: 2,
    })
    const unframed = makeExchange(6, { method: 'POST', requestHeaders: [] })

    const chunkedLines = pairs(buildReplayRequest(chunked, CONTEXT).headers)
    const unframedLines = pairs(buildReplayRequest(unframed, CONTEXT).headers)

    expect(chunkedLines).toContainEqual(['Transfer-Encoding', 'chunked'])
    expect(chunkedLines.map(([name]) => name)).not.toContain('Content-Length')
    expect(unframedLines).toContainEqual(['Content-Length', '0'])
  })

  it('applies an edit and charges the bucket of the key it carries', () => {
    const exchange = makeExchange(8, { requestHeaders: [['X-API-Key', 'old-key-1234']] })

    const request = buildReplayRequest(exchange, CONTEXT, {
      method: 'PATCH',
      url: '/edited?x=1',
      headers: [['X-API-Key', 'new-key-5678']],
      body: Buffer.from('{}'),
    })

    expect([request.method, request.target]).toEqual(['PATCH', '/edited?x=1'])
    expect(request.bucket).toBe(`key ${hashKey('new-key-5678')}`)
    expect(pairs(request.headers)).toContainEqual(['Content-Length', '2'])
  })
})

describe('takeReplayMarker', () => {
  it('removes the marker in any case and returns its id', () => {
    const raw = ['Host', 'h', 'x-tollgate-replay-of', ' 42 ', 'Accept', '*/*']

    const id = takeReplayMarker(raw)

    expect(id).toBe(42)
    expect(raw).toEqual(['Host', 'h', 'Accept', '*/*'])
  })

  it('removes repeated or malformed markers and links nothing', () => {
    const repeated = ['X-Tollgate-Replay-Of', '1', 'X-Tollgate-Replay-Of', '2']
    const malformed = ['X-Tollgate-Replay-Of', '1; drop table']

    expect(takeReplayMarker(repeated)).toBeUndefined()
    expect(takeReplayMarker(malformed)).toBeUndefined()
    expect([repeated, malformed]).toEqual([[], []])
  })
})

describe('toRequestTarget', () => {
  it('keeps the path and query byte for byte and drops scheme, host and fragment', () => {
    expect(toRequestTarget('http://h:1/a/../b?x=%zz#f')).toBe('/a/../b?x=%zz')
    expect(toRequestTarget('https://h?q=1')).toBe('/?q=1')
    expect(toRequestTarget('/plain?x')).toBe('/plain?x')
  })
})
