import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../../electron/core/logger'
import type { MockOptions } from '../../../electron/core/mock'
import type { LoggedExchange } from '../../../electron/core/store'
import { rawValues, send, startServer, startTollgate, type TestServer } from '../../support/servers'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** A real upstream that counts what reaches it, and a Tollgate mocking `session` in front of it. */
async function startMocked(mock: MockOptions, rateLimit = { limit: 100 }) {
  const hits: string[] = []
  const upstream: TestServer = await startServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    res.end('from the real upstream')
  })
  const tollgate = await startTollgate({ upstream: upstream.url, mock, rateLimit })
  cleanups.push(
    () => upstream.close(),
    () => tollgate.stop(),
  )
  return { tollgate, hits }
}

/** Records one answered exchange into `session`, as an import or an earlier run would have. */
function recordAnswer(
  tollgate: Awaited<ReturnType<typeof startTollgate>>,
  session: string,
  fields: Partial<LoggedExchange>,
): void {
  tollgate.store.record({
    id: tollgate.store.nextId(),
    kind: 'http',
    startedAt: Date.now(),
    method: 'GET',
    url: '/feed',
    httpVersion: '1.1',
    status: 200,
    clientAddress: '127.0.0.1',
    requestHeaders: [],
    responseHeaders: [],
    requestBody: new Uint8Array(0),
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBody: new Uint8Array(0),
    responseBodySize: 0,
    responseBodyTruncated: false,
    session,
    ...fields,
  })
}

const FEED_BODY = Buffer.from([0x7b, 0x7d, 0x00, 0xff])

describe('answering from a recorded session', () => {
  it('gives the first /feed its recorded answer, then 404s, and the real upstream gets nothing', async () => {
    const { tollgate, hits } = await startMocked({ session: 'feed', whenExhausted: '404' })
    recordAnswer(tollgate, 'feed', {
      status: 203,
      responseHeaders: [
        ['X-Feed', 'one'],
        ['Content-Type', 'application/octet-stream'],
        ['x-feed', 'two'],
      ],
      responseBody: FEED_BODY,
      responseBodySize: FEED_BODY.length,
    })

    const first = await send(tollgate.url, { path: '/feed' })
    const second = await send(tollgate.url, { path: '/feed' })
    const other = await send(tollgate.url, { path: '/other' })

    expect(first.status).toBe(203)
    expect(first.body.equals(FEED_BODY)).toBe(true)
    expect(first.rawHeaders.slice(0, 6)).toEqual([
      'X-Feed',
      'one',
      'Content-Type',
      'application/octet-stream',
      'x-feed',
      'two',
    ])
    expect(second.status).toBe(404)
    expect(JSON.parse(second.body.toString())).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: expect.stringContaining('has no more answers (it held 1, all used) for GET /feed'),
      },
    })
    expect(other.status).toBe(404)
    expect(JSON.parse(other.body.toString()).error.message).toContain(
      'has no answer for GET /other',
    )
    expect(hits).toEqual([])
  })

  it('warns at start when the session holds nothing, since the name is most likely mistyped', async () => {
    const lines: string[] = []
    const upstream = await startServer((_req, res) => res.end())
    const tollgate = await startTollgate({
      upstream: upstream.url,
      mock: { session: 'nosuch' },
      logger: createLogger('test', { write: (line) => lines.push(line) }),
    })
    cleanups.push(
      () => upstream.close(),
      () => tollgate.stop(),
    )
    const answer = await send(tollgate.url, { path: '/feed' })

    expect(lines.filter((line) => line.includes('"nosuch" holds no exchanges'))).toHaveLength(1)
    expect(lines.some((line) => line.includes('holds no recorded answers'))).toBe(false)
    expect(answer.status).toBe(404)
    expect(JSON.parse(answer.body.toString()).error.message).toContain('--mock-exhausted forward')
  })

  it('hands out recorded answers to identical requests in recorded order, by method, path and query', async () => {
    const { tollgate } = await startMocked({ session: 'pages' })
    const answer = (url: string, text: string, startedAt: number, method = 'GET') =>
      recordAnswer(tollgate, 'pages', {
        method,
        url,
        startedAt,
        responseBody: Buffer.from(text),
        responseBodySize: text.length,
      })
    answer('https://api.example.com/list?page=1', 'second', 2_000)
    answer('/list?page=1', 'first', 1_000)
    answer('/list?page=2', 'page two', 1_500)
    answer('/list?page=1', 'posted', 1_200, 'POST')

    const bodies: string[] = []
    for (const path of ['/list?page=1', '/list?page=2', '/list?page=1']) {
      bodies.push((await send(tollgate.url, { path })).body.toString())
    }

    expect(bodies).toEqual(['first', 'page two', 'second'])
  })

  it('forwards to the real upstream once the recording runs out, when told to', async () => {
    const { tollgate, hits } = await startMocked({ session: 'feed', whenExhausted: 'forward' })
    recordAnswer(tollgate, 'feed', { responseBody: Buffer.from('recorded'), responseBodySize: 8 })

    const first = await send(tollgate.url, { path: '/feed' })
    const second = await send(tollgate.url, { path: '/feed' })

    expect(first.body.toString()).toBe('recorded')
    expect(second.body.toString()).toBe('from the real upstream')
    expect(hits).toEqual(['GET /feed'])
  })

  it('keeps the gateway rules in front: the rate limit answers 429 before the mock is asked', async () => {
    const { tollgate } = await startMocked({ session: 'feed' }, { limit: 1 })
    recordAnswer(tollgate, 'feed', {})
    recordAnswer(tollgate, 'feed', {})

    const allowed = await send(tollgate.url, { path: '/feed' })
    const refused = await send(tollgate.url, { path: '/feed' })
    tollgate.store.flush()

    expect([allowed.status, refused.status]).toEqual([200, 429])
    expect(rawValues(allowed.rawHeaders, 'X-RateLimit-Remaining')).toEqual(['0'])
    expect(tollgate.store.count({ session: null })).toBe(2)
  })

  it("serves only answers the upstream gave: not the gateway's own 429s or unreachable errors", async () => {
    const { tollgate } = await startMocked({ session: 'mixed' })
    const decision = {
      bucket: 'key x',
      limit: 1,
      windowMs: 1,
      remaining: 0,
      resetAt: 0,
      enforced: true,
    }
    recordAnswer(tollgate, 'mixed', { status: 429, rateLimit: { ...decision, allowed: false } })
    recordAnswer(tollgate, 'mixed', { status: 502, errorCode: 'UPSTREAM_UNREACHABLE' })
    recordAnswer(tollgate, 'mixed', {
      status: 200,
      responseBody: Buffer.from('real'),
      responseBodySize: 4,
    })

    const answer = await send(tollgate.url, { path: '/feed' })

    expect([answer.status, answer.body.toString()]).toEqual([200, 'real'])
  })
})
