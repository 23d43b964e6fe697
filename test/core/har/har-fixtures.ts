/**
 * HAR documents for tests: one plausible browser entry to vary, and a generator that writes a
 * large file entry by entry without building it in memory.
 */

import fs from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'

type Json = Record<string, unknown>

export const START_ISO = '2026-01-01T10:00:00.000Z'
export const START_MS = Date.parse(START_ISO)

/** A GET answered 200 with a small JSON body, as a browser records it; override what matters. */
export function makeEntry(overrides: Json = {}): Json {
  return {
    startedDateTime: START_ISO,
    time: 42.5,
    request: {
      method: 'GET',
      url: 'https://api.example.com/items?page=2',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [
        { name: 'Host', value: 'api.example.com' },
        { name: 'X-API-Key', value: 'sk_live_0123456789abcdef' },
        { name: 'Accept', value: 'application/json' },
      ],
      queryString: [{ name: 'page', value: '2' }],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [{ name: 'Content-Type', value: 'application/json' }],
      content: { size: 13, mimeType: 'application/json', text: '{"items":[1]}' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 13,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0.5, wait: 40, receive: 2 },
    ...overrides,
  }
}

/** A whole HAR document around `entries`. */
export function makeHar(entries: unknown[]): Json {
  return {
    log: {
      version: '1.2',
      creator: { name: 'test', version: '1' },
      pages: [],
      entries,
    },
  }
}

/** Writes a HAR document to `dir/name` and returns the path. */
export function writeHar(dir: string, name: string, entries: unknown[]): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, JSON.stringify(makeHar(entries), null, 2))
  return file
}

/**
 * Streams a HAR of `count` generated entries to `file`: a mix of keyed GETs and JSON POSTs over
 * 50 keys, one request every 10 ms. Only one entry is in memory at a time.
 */
export async function generateHar(file: string, count: number): Promise<void> {
  const stream = fs.createWriteStream(file)
  const write = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain')
  }

  await write('{"log":{"version":"1.2","creator":{"name":"generator","version":"1"},"entries":[\n')
  for (let index = 0; index < count; index++) {
    await write(`${index === 0 ? '' : ',\n'}${JSON.stringify(makeGeneratedEntry(index))}`)
  }
  await write('\n]}}\n')
  stream.end()
  await once(stream, 'close')
}

function makeGeneratedEntry(index: number): Json {
  const post = index % 4 === 0
  const body = JSON.stringify({ index, note: 'generated entry with a modest body' })
  const entry = makeEntry({
    startedDateTime: new Date(START_MS + index * 10).toISOString(),
  })
  const request = entry.request as Json
  request.method = post ? 'POST' : 'GET'
  request.url = `https://api.example.com/items/${index}`
  request.headers = [
    { name: 'Host', value: 'api.example.com' },
    { name: 'Authorization', value: `Bearer sk_test_key_${String(index % 50).padStart(4, '0')}` },
    { name: 'Origin', value: 'http://localhost:3000' },
  ]
  if (post) request.postData = { mimeType: 'application/json', text: body }
  return entry
}
