import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportHar, importHar } from '../../../electron/core/har'
import type { LoggedExchange } from '../../../electron/core/store'
import { makeExchange } from '../store/helpers'
import { expectValidHar } from './har-validate'
import { makeEntry, writeHar } from './har-fixtures'
import { openTestStore, readSession, type TestStore } from './har-test-store'

let test: TestStore

beforeEach(() => {
  test = openTestStore()
})

afterEach(() => {
  test.close()
})

const JSON_BODY = '{"name":"Zoë","tags":["a","b"]}'
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')

function entryWith(part: 'request' | 'response', fields: Record<string, unknown>) {
  const base = makeEntry()
  return { ...base, [part]: { ...(base[part] as object), ...fields } }
}

/** Every messy case the importer accepts, each of which must survive export and re-import. */
function makeMessyEntries() {
  return [
    entryWith('response', {
      headers: [{ name: 'Content-Encoding', value: 'utf-8' }],
      content: { size: 0, mimeType: 'text/plain', text: '' },
    }),
    entryWith('response', { content: { size: 32, mimeType: 'application/json', text: JSON_BODY } }),
    entryWith('response', {
      content: { size: 8, mimeType: 'image/png', text: PNG.toString('base64'), encoding: 'base64' },
      headers: [{ name: 'Content-Type', value: 'image/png' }],
    }),
    makeEntry({
      startedDateTime: '2026-01-01T12:00:00.250+02:00',
      time: 24.125,
      timings: { blocked: -1, dns: -1, connect: -1000, ssl: -1, send: 1, wait: 20, receive: 3 },
    }),
    entryWith('request', {
      method: 'POST',
      headers: [{ name: 'Content-Type', value: 'application/x-www-form-urlencoded' }],
      postData: {
        mimeType: 'application/x-www-form-urlencoded',
        params: [{ name: 'note', value: 'a b&c' }],
      },
    }),
    entryWith('response', {
      headers: [
        { name: 'content-type', value: 'application/json' },
        { name: 'Content-Encoding', value: 'gzip' },
        { name: 'set-cookie', value: 'a=1; Path=/' },
        { name: 'Set-Cookie', value: 'b=2' },
      ],
      content: { size: 32, mimeType: 'application/json', text: JSON_BODY },
    }),
    entryWith('request', {
      httpVersion: 'h2',
      headers: [
        { name: ':authority', value: 'api.example.com' },
        { name: 'x-api-key', value: 'sk_live_0123456789abcdef' },
        { name: 'Accept', value: 'text/html' },
        { name: 'accept', value: 'application/json' },
      ],
    }),
    entryWith('response', {
      status: 0,
      headers: [],
      content: { size: 0, mimeType: 'x-unknown' },
      _error: 'net::ERR_FAILED',
      bodySize: -1,
    }),
    entryWith('response', { content: { size: 4096, mimeType: 'image/png' }, bodySize: 4096 }),
  ]
}

/** What an export must carry over unchanged, field by field. */
function comparable(exchange: LoggedExchange) {
  return {
    kind: exchange.kind,
    method: exchange.method,
    url: exchange.url,
    httpVersion: exchange.httpVersion,
    status: exchange.status,
    startedAt: exchange.startedAt,
    firstByteAt: exchange.firstByteAt,
    endedAt: exchange.endedAt,
    timings: exchange.timings,
    clientAddress: exchange.clientAddress,
    keyHash: exchange.keyHash,
    origin: exchange.origin,
    requestHeaders: exchange.requestHeaders,
    responseHeaders: exchange.responseHeaders,
    requestBody: Buffer.from(exchange.requestBody).toString('hex'),
    requestBodySize: exchange.requestBodySize,
    requestBodyTruncated: exchange.requestBodyTruncated,
    responseBody: Buffer.from(exchange.responseBody).toString('hex'),
    responseBodySize: exchange.responseBodySize,
    responseBodyTruncated: exchange.responseBodyTruncated,
    errorMessage: exchange.errorMessage,
  }
}

function readHar(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

describe('exportHar', () => {
  it('re-imports an export of each messy import to the same exchanges', async () => {
    const source = writeHar(test.dir, 'messy.har', makeMessyEntries())
    await importHar(test.store, source, { session: 'first' })
    const exported = path.join(test.dir, 'exported.har')

    await exportHar(test.store, exported, { filter: { session: 'first' }, revealKeys: true })
    const again = await importHar(test.store, exported, { session: 'second' })

    const first = readSession(test.store, 'first').map(comparable)
    const second = readSession(test.store, 'second').map(comparable)
    expect(second).toHaveLength(makeMessyEntries().length)
    expect(second).toEqual(first)
    expect(again.problems.map((problem) => problem.index)).toEqual([0])
  })

  it('re-imports live exchanges with the same bodies, headers and times', async () => {
    const gzipped = zlib.gzipSync(JSON_BODY)
    const times = { firstByteAt: 1_700_000_000_020, endedAt: 1_700_000_000_031 }
    const live = [
      makeExchange(1, { firstByteAt: 1_700_000_000_010, endedAt: 1_700_000_000_015 }),
      makeExchange(2, {
        ...times,
        responseHeaders: [
          ['Content-Type', 'application/json'],
          ['Content-Encoding', 'gzip'],
        ],
        responseBody: gzipped,
        responseBodySize: gzipped.length,
      }),
      makeExchange(3, {
        ...times,
        responseBody: gzipped.subarray(0, 10),
        responseBodySize: gzipped.length,
        responseBodyTruncated: true,
        responseHeaders: [['Content-Encoding', 'gzip']],
      }),
    ]
    for (const exchange of live) test.store.record(exchange)
    const exported = path.join(test.dir, 'live.har')

    await exportHar(test.store, exported, { filter: { session: null } })
    await importHar(test.store, exported, { session: 'live' })

    const imported = readSession(test.store, 'live').map(comparable)
    const original = live.map(comparable)

    const carried = ({ url: _url, timings: _timings, ...rest }: ReturnType<typeof comparable>) =>
      rest
    expect(imported.map(carried)).toEqual(original.map(carried))
    expect(imported.map((exchange) => exchange.url)).toEqual(
      live.map((exchange) => `http://localhost:8787${exchange.url}`),
    )
  })

  it('writes a valid HAR 1.2 document, gzip bodies decoded into text', async () => {
    const gzipped = zlib.gzipSync(JSON_BODY)
    test.store.record(
      makeExchange(1, {
        responseHeaders: [
          ['Content-Type', 'application/json; charset=utf-8'],
          ['Content-Encoding', 'gzip'],
        ],
        responseBody: gzipped,
        responseBodySize: gzipped.length,
      }),
    )
    const file = path.join(test.dir, 'valid.har')

    const result = await exportHar(test.store, file)
    const har = readHar(file)

    expect(result.exported).toBe(1)
    expectValidHar(har)
    expect(har.log.entries[0].response.content).toEqual({
      size: Buffer.byteLength(JSON_BODY),
      compression: Buffer.byteLength(JSON_BODY) - gzipped.length,
      mimeType: 'application/json; charset=utf-8',
      text: JSON_BODY,
    })
    expect(har.log.entries[0].response.bodySize).toBe(gzipped.length)
  })

  it('writes base64 for bodies that are not UTF-8 text of a textual type', async () => {
    const invalidUtf8 = Buffer.from([0x66, 0x6f, 0xff, 0x6f])
    test.store.record(
      makeExchange(1, { responseHeaders: [['Content-Type', 'image/png']], responseBody: PNG }),
    )
    test.store.record(
      makeExchange(2, {
        responseHeaders: [['Content-Type', 'text/plain']],
        responseBody: invalidUtf8,
      }),
    )
    test.store.record(makeExchange(3, { responseHeaders: [], responseBody: Buffer.from('plain') }))
    const file = path.join(test.dir, 'binary.har')

    await exportHar(test.store, file)
    const contents = readHar(file).log.entries.map((entry: any) => entry.response.content)

    expect(contents[0]).toMatchObject({ text: PNG.toString('base64'), encoding: 'base64' })
    expect(contents[1]).toMatchObject({ text: invalidUtf8.toString('base64'), encoding: 'base64' })
    expect(contents[2]).toMatchObject({ text: 'cGxhaW4=', encoding: 'base64' })
  })

  it('masks API keys unless asked to reveal them', async () => {
    const headers: [string, string][] = [
      ['Authorization', 'Bearer sk_live_0123456789abcdef'],
      ['X-API-Key', 'key-a1b2c3'],
      ['X-Custom-Key', 'sk_test_99999999999999'],
      ['Accept', '*/*'],
    ]
    test.store.record(makeExchange(1, { requestHeaders: headers }))
    const masked = path.join(test.dir, 'masked.har')
    const revealed = path.join(test.dir, 'revealed.har')

    await exportHar(test.store, masked, { keyHeaders: ['X-Custom-Key', 'X-API-Key'] })
    await exportHar(test.store, revealed, { revealKeys: true })

    expect(readHar(masked).log.entries[0].request.headers).toEqual([
      { name: 'Authorization', value: 'Bearer sk_live_…cdef' },
      { name: 'X-API-Key', value: 'k…c3' },
      { name: 'X-Custom-Key', value: 'sk_test_…9999' },
      { name: 'Accept', value: '*/*' },
    ])
    expect(fs.readFileSync(masked, 'utf8')).not.toContain('0123456789abcdef')
    expect(readHar(revealed).log.entries[0].request.headers[0].value).toBe(
      'Bearer sk_live_0123456789abcdef',
    )
  })

  it('writes only -1 for phases that were not measured', async () => {
    const file = writeHar(test.dir, 'timings.har', makeMessyEntries())
    await importHar(test.store, file, { session: 'timings' })
    const exported = path.join(test.dir, 'timings-out.har')

    await exportHar(test.store, exported)
    const entries = readHar(exported).log.entries

    const values = entries.flatMap((entry: any) => Object.values(entry.timings) as number[])
    expect(values.every((value: number) => value >= 0 || value === -1)).toBe(true)
    expect(entries[3].timings.connect).toBe(-1)
    expect(entries[3].startedDateTime).toBe('2026-01-01T10:00:00.250Z')
    expect(entries[3].time).toBe(24.125)
  })

  it('exports only the exchanges the filter selects, oldest first', async () => {
    for (let id = 1; id <= 5; id++) {
      test.store.record(makeExchange(id, { status: id % 2 === 0 ? 429 : 200 }))
    }
    const file = path.join(test.dir, 'refused.har')

    const result = await exportHar(test.store, file, { filter: { status: 429 } })

    expect(result.exported).toBe(2)
    expect(readHar(file).log.entries.map((entry: any) => entry._tollgate.id)).toEqual([2, 4])
  })

  it('refuses a path it cannot write and leaves no partial file behind', async () => {
    test.store.record(makeExchange(1))
    const file = path.join(test.dir, 'no-such-dir', 'out.har')

    const error = await exportHar(test.store, file).catch((e) => e)

    expect(error.code).toBe('HAR_INVALID')
    expect(error.message).toContain(file)
    expect(fs.existsSync(`${file}.partial`)).toBe(false)
  })
})
