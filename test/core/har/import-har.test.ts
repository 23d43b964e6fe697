import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashKey } from '../../../electron/core/api-key'
import { importHar } from '../../../electron/core/har'
import { TollgateError } from '../../../shared/errors'
import { START_MS, makeEntry, makeHar, writeHar } from './har-fixtures'
import { openTestStore, readSession, type TestStore } from './har-test-store'

let test: TestStore

beforeEach(() => {
  test = openTestStore()
})

afterEach(() => {
  test.close()
})

const JSON_BODY = '{"name":"Zoë","tags":["a","b"]}'

function withResponse(response: Record<string, unknown>) {
  const base = makeEntry().response as Record<string, unknown>
  return makeEntry({ response: { ...base, ...response } })
}

function problemsAt(result: { problems: { index: number; problem: string }[] }, index: number) {
  return result.problems.filter((problem) => problem.index === index).map((p) => p.problem)
}

describe('importHar: messy inputs', () => {
  it('imports an empty body under Content-Encoding utf-8 as is and flags the entry', async () => {
    const entry = withResponse({
      headers: [{ name: 'Content-Encoding', value: 'utf-8' }],
      content: { size: 0, mimeType: 'text/plain', text: '' },
      bodySize: 0,
    })
    const file = writeHar(test.dir, 'odd-encoding.har', [entry])

    const result = await importHar(test.store, file, { session: 'odd-encoding.har' })
    const [exchange] = readSession(test.store, 'odd-encoding.har')

    expect(result).toMatchObject({ imported: 1, skipped: 0 })
    expect(exchange?.responseBody.length).toBe(0)
    expect(exchange?.responseHeaders).toEqual([['Content-Encoding', 'utf-8']])
    expect(problemsAt(result, 0).join(' ')).toContain('Content-Encoding utf-8')
  })

  it('stores the same bytes for a body given as text and as base64', async () => {
    const plain = withResponse({
      content: { size: 32, mimeType: 'application/json', text: JSON_BODY },
    })
    const base64 = withResponse({
      content: {
        size: 32,
        mimeType: 'application/json',
        text: Buffer.from(JSON_BODY).toString('base64'),
        encoding: 'base64',
      },
    })
    const file = writeHar(test.dir, 'bodies.har', [plain, base64])

    const result = await importHar(test.store, file, { session: 'bodies' })
    const [first, second] = readSession(test.store, 'bodies')

    expect(result.problems).toEqual([])
    expect(Buffer.from(first!.responseBody)).toEqual(Buffer.from(JSON_BODY))
    expect(Buffer.from(second!.responseBody)).toEqual(Buffer.from(JSON_BODY))
  })

  it('keeps timings of -1, flags -1000 and honours the +02:00 offset', async () => {
    const entry = makeEntry({
      startedDateTime: '2026-01-01T12:00:00.250+02:00',
      time: 24,
      timings: { blocked: -1, dns: -1, connect: -1000, ssl: -1, send: 1, wait: 20, receive: 3 },
    })
    const file = writeHar(test.dir, 'timings.har', [entry])

    const result = await importHar(test.store, file, { session: 'timings' })
    const [exchange] = readSession(test.store, 'timings')

    expect(exchange?.startedAt).toBe(Date.UTC(2026, 0, 1, 10, 0, 0, 250))
    expect(exchange?.timings).toEqual({
      blocked: -1,
      dns: -1,
      connect: -1,
      ssl: -1,
      send: 1,
      wait: 20,
      receive: 3,
      time: 24,
    })
    expect(exchange?.firstByteAt).toBe(exchange!.startedAt + 21)
    expect(exchange?.endedAt).toBe(exchange!.startedAt + 24)
    const problems = problemsAt(result, 0)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain('timings.connect is -1000')
  })

  it('rebuilds a form body given only as params, url-encoded with the right length', async () => {
    const entry = makeEntry({
      request: {
        ...(makeEntry().request as object),
        method: 'POST',
        headers: [
          { name: 'Content-Type', value: 'application/x-www-form-urlencoded' },
          { name: 'Content-Length', value: '16' },
        ],
        postData: {
          mimeType: 'application/x-www-form-urlencoded',
          params: [
            { name: 'note', value: 'a b&c' },
            { name: 'n', value: '1' },
          ],
        },
        bodySize: 16,
      },
    })
    const file = writeHar(test.dir, 'form.har', [entry])

    const result = await importHar(test.store, file, { session: 'form' })
    const [exchange] = readSession(test.store, 'form')

    expect(result.imported).toBe(1)
    expect(Buffer.from(exchange!.requestBody).toString()).toBe('note=a+b%26c&n=1')
    expect(exchange?.requestBodySize).toBe(16)
    expect(new URLSearchParams(Buffer.from(exchange!.requestBody).toString()).get('note')).toBe(
      'a b&c',
    )
    expect(problemsAt(result, 0).join(' ')).toContain('rebuilt')
  })
})

describe('importHar', () => {
  it('records each entry under the session with key, origin and kind read from its headers', async () => {
    const preflight = makeEntry({
      request: {
        ...(makeEntry().request as object),
        method: 'OPTIONS',
        headers: [
          { name: 'Origin', value: 'http://localhost:3000' },
          { name: 'Access-Control-Request-Method', value: 'PUT' },
        ],
      },
    })
    const file = writeHar(test.dir, 'mixed.har', [makeEntry(), preflight])

    await importHar(test.store, file, { session: 'mixed' })
    const [keyed, options] = readSession(test.store, 'mixed')

    expect(keyed).toMatchObject({
      session: 'mixed',
      kind: 'http',
      method: 'GET',
      url: 'https://api.example.com/items?page=2',
      httpVersion: '1.1',
      status: 200,
      startedAt: START_MS,
      keyHash: hashKey('sk_live_0123456789abcdef'),
      keyMasked: 'sk_live_…cdef',
    })
    expect(keyed?.requestHeaders[1]).toEqual(['X-API-Key', 'sk_live_0123456789abcdef'])
    expect(options).toMatchObject({ kind: 'preflight', origin: 'http://localhost:3000' })
  })

  it("reads back Tollgate's own error codes and rate-limit decisions from its exports", async () => {
    const refused = {
      bucket: 'key 0123456789abcdef',
      allowed: false,
      limit: 60,
      windowMs: 60_000,
      remaining: 0,
      resetAt: START_MS + 60_000,
      retryAfterSeconds: 12,
      enforced: true,
    }
    const file = writeHar(test.dir, 'exported.har', [
      makeEntry({
        _tollgate: { id: 1, kind: 'http', clientAddress: '127.0.0.1', rateLimit: refused },
      }),
      makeEntry({
        _tollgate: {
          id: 2,
          kind: 'http',
          clientAddress: '127.0.0.1',
          errorCode: 'UPSTREAM_UNREACHABLE',
        },
      }),
      makeEntry({
        _tollgate: { errorCode: 'NOT_A_CODE', rateLimit: { ...refused, limit: 'sixty' } },
      }),
    ])

    await importHar(test.store, file, { session: 'exported' })
    const [limited, unreachable, odd] = readSession(test.store, 'exported')

    expect(limited!.rateLimit).toEqual(refused)
    expect(unreachable!.errorCode).toBe('UPSTREAM_UNREACHABLE')
    expect(odd!.errorCode).toBeUndefined()
    expect(odd!.rateLimit).toBeUndefined()
  })

  it('compresses a decoded body again when its headers announce gzip', async () => {
    const entry = withResponse({
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Content-Encoding', value: 'gzip' },
      ],
      content: { size: 32, mimeType: 'application/json', text: JSON_BODY },
      bodySize: 48,
    })
    const file = writeHar(test.dir, 'gzip.har', [entry])

    const result = await importHar(test.store, file, { session: 'gzip' })
    const [exchange] = readSession(test.store, 'gzip')

    expect(result.problems).toEqual([])
    expect(zlib.gunzipSync(exchange!.responseBody).toString()).toBe(JSON_BODY)
    expect(exchange?.responseBodySize).toBe(exchange?.responseBody.length)
  })

  it('skips unusable entries, says why, and imports the rest', async () => {
    const noMethod = makeEntry({ request: { url: 'https://api.example.com/' } })
    const badDate = makeEntry({ startedDateTime: 'yesterday' })
    const file = writeHar(test.dir, 'partly.har', [noMethod, makeEntry(), badDate, 'text'])

    const result = await importHar(test.store, file, { session: 'partly' })

    expect(result).toMatchObject({ imported: 1, skipped: 3 })
    expect(problemsAt(result, 0)[0]).toContain('request.method undefined is not a method name')
    expect(problemsAt(result, 2)[0]).toContain('startedDateTime "yesterday"')
    expect(problemsAt(result, 3)[0]).toContain('not an object')
    expect(readSession(test.store, 'partly')).toHaveLength(1)
  })

  it('skips an entry longer than the limit and imports the ones around it', async () => {
    const big = withResponse({
      content: { size: 9000, mimeType: 'text/plain', text: 'x'.repeat(9000) },
    })
    const file = writeHar(test.dir, 'big.har', [makeEntry(), big, makeEntry()])

    const result = await importHar(test.store, file, { session: 'big', maxEntryChars: 5000 })

    expect(result).toMatchObject({ imported: 2, skipped: 1 })
    expect(problemsAt(result, 1)[0]).toContain('more than the import limit')
  })

  it('marks a body the file left out as truncated, with the size the file gives', async () => {
    const entry = withResponse({ content: { size: 5000, mimeType: 'image/png' }, bodySize: 5000 })
    const file = writeHar(test.dir, 'no-body.har', [entry])

    const result = await importHar(test.store, file, { session: 'no-body' })
    const [exchange] = readSession(test.store, 'no-body')

    expect(exchange).toMatchObject({ responseBodySize: 5000, responseBodyTruncated: true })
    expect(problemsAt(result, 0)[0]).toContain('not in the file')
  })

  it('keeps the entries before the point where a file breaks off, and reports it', async () => {
    const whole = JSON.stringify(makeHar([makeEntry(), makeEntry(), makeEntry()]))
    const file = path.join(test.dir, 'cut.har')
    fs.writeFileSync(file, whole.slice(0, Math.floor(whole.length * 0.8)))

    const result = await importHar(test.store, file, { session: 'cut' })

    expect(result).toMatchObject({ imported: 2, skipped: 1 })
    expect(result.problems).toEqual([
      { index: 2, problem: expect.stringContaining('Entries from this one on were not read') },
    ])
  })

  it('keeps the entries read in the same chunk as the point where the file goes wrong', async () => {
    const whole = JSON.stringify(makeHar([makeEntry(), makeEntry(), makeEntry()]))
    const broken = path.join(test.dir, 'broken.har')
    const trailing = path.join(test.dir, 'trailing.har')
    fs.writeFileSync(broken, whole.replace(/\]\}\}$/, ', }]}}'))
    fs.writeFileSync(trailing, `${whole}\n\0`)

    const fromBroken = await importHar(test.store, broken, { session: 'broken' })
    const fromTrailing = await importHar(test.store, trailing, { session: 'trailing' })

    // The stray brace stands where a fourth entry would start: that one counts as skipped.
    expect(fromBroken).toMatchObject({ imported: 3, skipped: 1 })
    expect(fromBroken.problems).toEqual([
      { index: 3, problem: expect.stringContaining('Entries from this one on were not read') },
    ])
    expect(fromTrailing).toMatchObject({ imported: 3, skipped: 0 })
    expect(fromTrailing.problems).toEqual([
      { index: 3, problem: expect.stringContaining('Every entry was read') },
    ])
    expect(test.store.count()).toBe(6)
  })

  it('refuses a file that is not a HAR document and records nothing', async () => {
    const file = path.join(test.dir, 'notes.txt')
    fs.writeFileSync(file, 'these are not the entries you are looking for')

    const error = await importHar(test.store, file, { session: 'notes' }).catch((e) => e)

    expect(error).toBeInstanceOf(TollgateError)
    expect(error.code).toBe('HAR_INVALID')
    expect(test.store.count()).toBe(0)
  })

  it('refuses a path that does not exist, naming it', async () => {
    const file = path.join(test.dir, 'missing.har')

    const error = await importHar(test.store, file, { session: 'missing' }).catch((e) => e)

    expect(error.code).toBe('HAR_INVALID')
    expect(error.message).toContain(file)
  })

  it('reads from a stream of chunks as well as from a file', async () => {
    const text = JSON.stringify(makeHar([makeEntry(), makeEntry()]))
    async function* chunks() {
      const bytes = Buffer.from(text)
      for (let start = 0; start < bytes.length; start += 7) yield bytes.subarray(start, start + 7)
    }

    const result = await importHar(test.store, chunks(), { session: 'upload' })

    expect(result.imported).toBe(2)
  })
})
