import { describe, expect, it } from 'vitest'
import type { ExchangeDetail } from '../../shared/api'
import { buildCurl, quoteForShell } from '../../renderer/src/views/detail/curl'

const PROXY = 'http://127.0.0.1:8787'

function exchange(patch: Partial<ExchangeDetail>): ExchangeDetail {
  return {
    id: 1,
    kind: 'http',
    startedAt: 0,
    method: 'GET',
    url: '/products?page=2',
    httpVersion: '1.1',
    clientAddress: '127.0.0.1',
    requestHeaders: [],
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBodySize: 0,
    responseBodyTruncated: false,
    requestBodyBase64: '',
    responseBodyBase64: '',
    ...patch,
  }
}

describe('buildCurl', () => {
  it('keeps header lines in order and spelling, repeats included, and drops Host', () => {
    const command = buildCurl(
      exchange({
        requestHeaders: [
          ['Host', '127.0.0.1:8787'],
          ['X-Trace', 'a'],
          ['x-trace', 'b'],
          ['Authorization', 'Bearer sk_live_123'],
        ],
      }),
      PROXY,
    )

    expect(command).toBe(
      "curl 'http://127.0.0.1:8787/products?page=2' -H 'X-Trace: a' -H 'x-trace: b' -H 'Authorization: Bearer sk_live_123'",
    )
  })

  it('sends a text body as is and names the method only when curl would not infer it', () => {
    const body = Buffer.from(`{"note":"it's"}`).toString('base64')

    const post = buildCurl(exchange({ method: 'POST', requestBodyBase64: body }), PROXY)
    const put = buildCurl(exchange({ method: 'PUT', requestBodyBase64: body }), PROXY)

    expect(post).toBe(
      `curl 'http://127.0.0.1:8787/products?page=2' --data-raw '{"note":"it'\\''s"}'`,
    )
    expect(put).toContain("-X 'PUT'")
  })

  it('pipes a binary body through base64 so every byte survives', () => {
    const body = Buffer.from([0, 255, 10]).toString('base64')

    const command = buildCurl(exchange({ method: 'POST', requestBodyBase64: body }), PROXY)

    expect(command).toBe(
      `printf %s 'AP8K' | base64 -d | curl 'http://127.0.0.1:8787/products?page=2' --data-binary @-`,
    )
  })

  it('uses --head for HEAD', () => {
    expect(buildCurl(exchange({ method: 'HEAD' }), PROXY)).toMatch(/^curl --head /)
  })
})

describe('quoteForShell', () => {
  it('closes, escapes and reopens embedded single quotes', () => {
    expect(quoteForShell("a'b")).toBe(`'a'\\''b'`)
  })
})
