/**
 * Reproducible random inputs for the fuzzing tests: a seeded generator, byte-level mutations of
 * valid HTTP requests, and random JSON written as text so that keys such as `__proto__` arrive
 * as own keys, the way JSON.parse delivers them from a file or a request body.
 */

/** A small seeded generator (mulberry32): the same seed gives the same run. */
export interface Random {
  next(): number
  int(below: number): number
  pick<T>(items: readonly T[]): T
  chance(probability: number): boolean
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296
  }
  const int = (below: number) => Math.floor(next() * below)
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (probability) => next() < probability,
  }
}

/** Valid requests the mutations start from; each covers a path through the proxy. */
export const REQUEST_TEMPLATES: readonly string[] = [
  'GET /items/1?page=2 HTTP/1.1\r\nHost: localhost\r\nX-API-Key: sk_test_fuzz\r\nAccept: */*\r\n\r\n',
  'POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"name":"x"}',
  'POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  'OPTIONS /items HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type, x-api-key\r\n\r\n',
  'GET /me HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\nAuthorization: Bearer sk_live_fuzz\r\n\r\n',
  'GET /socket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  'GET /one HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\r\nHost: localhost\r\nX-API-Key: k2\r\n\r\n',
  'DELETE /items/9 HTTP/1.0\r\nHost: localhost\r\n\r\n',
]

/** Fragments that parsers and policies treat specially. */
const DICTIONARY: readonly string[] = [
  '\r\n',
  '\n',
  '\r',
  ':',
  ' ',
  '\t',
  '\x00',
  '\xff',
  ',',
  'chunked',
  'Content-Length: 99999\r\n',
  'Content-Length: -1\r\n',
  'Transfer-Encoding: chunked\r\n',
  'Transfer-Encoding: gzip, chunked\r\n',
  'Expect: 100-continue\r\n',
  'Connection: close\r\n',
  'Connection: keep-alive, Upgrade\r\n',
  'http://evil.example',
  '//evil.example',
  '*',
  'CONNECT ',
  '%00',
  '%ff',
  '/../../',
  'Origin: null\r\n',
  'Origin: http://localhost:3000, http://evil.example\r\n',
  'X-API-Key: a\r\nX-API-Key: b\r\n',
  'Authorization: Bearer \r\n',
  'Authorization: Basic Zm9vOmJhcg==\r\n',
  'Access-Control-Request-Headers: ,,, ,\r\n',
  'Access-Control-Request-Method: \r\n',
  'Upgrade: websocket\r\n',
  'Host: \r\n',
  'Host: a\r\nHost: b\r\n',
  'X-Forwarded-For: 10.0.0.1\r\n',
  'ffffffffffffffff\r\n',
  '0\r\n\r\n',
  'HTTP/1.1',
  'HTTP/2.0',
]

/** One to four random edits of `input`: flips, inserts, deletions, repeats, truncation. */
export function mutateRequest(random: Random, input: Buffer): Buffer {
  let bytes = Buffer.from(input)
  const edits = 1 + random.int(4)
  for (let edit = 0; edit < edits; edit++) {
    const at = random.int(bytes.length + 1)
    switch (random.int(7)) {
      case 0: {
        if (bytes.length === 0) break
        const index = Math.min(at, bytes.length - 1)
        bytes[index] = bytes[index]! ^ (1 << random.int(8))
        break
      }
      case 1: {
        const inserted = Buffer.from(
          Array.from({ length: 1 + random.int(8) }, () => random.int(256)),
        )
        bytes = Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)])
        break
      }
      case 2: {
        const end = Math.min(bytes.length, at + 1 + random.int(16))
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(end)])
        break
      }
      case 3: {
        const end = Math.min(bytes.length, at + 1 + random.int(32))
        const piece = bytes.subarray(at, end)
        const times = 1 + random.int(random.chance(0.1) ? 2_000 : 4)
        bytes = Buffer.concat([
          bytes.subarray(0, end),
          ...Array(times).fill(piece),
          bytes.subarray(end),
        ])
        break
      }
      case 4:
      case 5: {
        const word = Buffer.from(random.pick(DICTIONARY), 'latin1')
        bytes = Buffer.concat([bytes.subarray(0, at), word, bytes.subarray(at)])
        break
      }
      default:
        bytes = bytes.subarray(0, at)
    }
  }
  return bytes
}

/** Keys a config may hold, plus the ones that probe prototypes. */
const CONFIG_KEYS: readonly string[] = [
  'listen',
  'host',
  'port',
  'upstream',
  'keys',
  'headers',
  'rateLimit',
  'limit',
  'windowMs',
  'perKey',
  'enforce',
  'draftHeaders',
  'cors',
  'allowedOrigins',
  'allowCredentials',
  'allowedMethods',
  'allowedHeaders',
  'exposeHeaders',
  'maxAge',
  'capture',
  'maxBodyBytes',
  'retention',
  'maxRows',
  'maxAgeMs',
  'db',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'sk_live_key',
  '',
]

const STRINGS: readonly string[] = [
  '',
  ' ',
  '*',
  'null',
  'http://localhost:3000',
  'http://localhost:3000/',
  'https://app.example',
  'GET',
  'GE T',
  'X-API-Key',
  'bad header',
  '60s',
  'ftp://127.0.0.1',
  'http://127.0.0.1:1',
  ':memory:',
  '127.0.0.1',
  '\u0000',
  '\ud800',
  'é',
]

const NUMBERS: readonly string[] = [
  '0',
  '-0',
  '1',
  '-1',
  '1.5',
  '60',
  '60000',
  '65535',
  '65536',
  '1e308',
  '-1e308',
  '9007199254740993',
  '1073741825',
]

/** Random JSON text, nested up to `depth`, with object keys drawn mostly from the config's. */
export function randomJsonText(random: Random, depth = 4): string {
  const kind = depth <= 0 ? random.int(4) : random.int(7)
  switch (kind) {
    case 0:
      return random.pick(['null', 'true', 'false'])
    case 1:
      return random.pick(NUMBERS)
    case 2:
      return JSON.stringify(random.pick(STRINGS))
    case 3:
      return JSON.stringify(
        String.fromCharCode(...Array.from({ length: random.int(12) }, () => 32 + random.int(95))),
      )
    case 4: {
      const items = Array.from({ length: random.int(4) }, () => randomJsonText(random, depth - 1))
      return `[${items.join(',')}]`
    }
    default: {
      const fields = Array.from({ length: random.int(5) }, () => {
        const key = random.chance(0.9) ? random.pick(CONFIG_KEYS) : random.pick(STRINGS)
        return `${JSON.stringify(key)}:${randomJsonText(random, depth - 1)}`
      })
      return `{${fields.join(',')}}`
    }
  }
}
