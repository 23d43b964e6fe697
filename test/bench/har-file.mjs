/**
 * Writes a large HAR file for the HAR bench: entries as a browser records them against a JSON
 * API, streamed to disk in pieces so the generator holds one piece at a time, however many
 * entries there are.
 */

import { once } from 'node:events'
import fs from 'node:fs'

const START_MS = Date.parse('2026-01-01T09:00:00.000Z')
const KEYS = 50
const PIECE_CHARS = 256 * 1024

const REQUEST_HEADERS = [
  { name: 'Host', value: 'api.example.com' },
  { name: 'Accept', value: 'application/json, text/plain, */*' },
  { name: 'Accept-Language', value: 'en-US,en;q=0.9' },
  { name: 'Accept-Encoding', value: 'gzip, deflate, br, zstd' },
  {
    name: 'User-Agent',
    value:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  { name: 'Origin', value: 'http://localhost:5173' },
  { name: 'Referer', value: 'http://localhost:5173/orders' },
  { name: 'Sec-Fetch-Mode', value: 'cors' },
]

const RESPONSE_HEADERS = [
  { name: 'Content-Type', value: 'application/json; charset=utf-8' },
  { name: 'Cache-Control', value: 'no-store' },
  { name: 'Access-Control-Allow-Origin', value: 'http://localhost:5173' },
  { name: 'X-RateLimit-Limit', value: '60' },
]

/** Entry `index`: a keyed GET, or one time in four a POST with a JSON body. */
export function makeHarEntry(index) {
  const post = index % 4 === 0
  const key = `sk_test_bench_${String(index % KEYS).padStart(6, '0')}`
  const responseText = JSON.stringify({
    id: index,
    name: `Order ${index}`,
    lines: [
      { sku: `W-${index % 97}`, quantity: (index % 5) + 1, price: 9.99 },
      { sku: `G-${index % 89}`, quantity: 1, price: 24.5 },
    ],
    status: index % 7 === 0 ? 'shipped' : 'open',
  })
  const request = {
    method: post ? 'POST' : 'GET',
    url: `https://api.example.com/v1/orders/${index}?expand=lines`,
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: [...REQUEST_HEADERS, { name: 'Authorization', value: `Bearer ${key}` }],
    queryString: [{ name: 'expand', value: 'lines' }],
    headersSize: -1,
    bodySize: 0,
  }
  if (post) {
    const text = JSON.stringify({ note: `bench order ${index}`, priority: index % 3 })
    request.postData = { mimeType: 'application/json', text }
    request.bodySize = text.length
  }

  return {
    startedDateTime: new Date(START_MS + index * 7).toISOString(),
    time: 18.25,
    request,
    response: {
      status: index % 50 === 0 ? 404 : 200,
      statusText: index % 50 === 0 ? 'Not Found' : 'OK',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: RESPONSE_HEADERS,
      content: { size: responseText.length, mimeType: 'application/json', text: responseText },
      redirectURL: '',
      headersSize: -1,
      bodySize: responseText.length,
    },
    cache: {},
    timings: { blocked: 0.5, dns: -1, connect: -1, ssl: -1, send: 0.25, wait: 16, receive: 1.5 },
  }
}

/** Streams a HAR document of `count` entries to `file`; resolves with its size in bytes. */
export async function writeHarFile(file, count) {
  const stream = fs.createWriteStream(file)
  const write = async (text) => {
    if (!stream.write(text)) await once(stream, 'drain')
  }

  let piece =
    '{"log":{"version":"1.2","creator":{"name":"tollgate-bench","version":"1"},"entries":['
  for (let index = 0; index < count; index++) {
    piece += `${index === 0 ? '' : ','}\n${JSON.stringify(makeHarEntry(index))}`
    if (piece.length >= PIECE_CHARS) {
      await write(piece)
      piece = ''
    }
  }
  await write(`${piece}\n]}}\n`)
  stream.end()
  await once(stream, 'close')
  return fs.statSync(file).size
}
