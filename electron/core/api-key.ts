/**
 * Which budget a request is charged to: its API key when it carries exactly one, otherwise the
 * address of the socket it came from.
 */

import { hash } from 'node:crypto'
import { defaultConfig } from '../../shared/config'
import type { HeaderList } from '../../shared/exchange'
import { maskKey } from '../../shared/keys'
import { remembered } from '../../shared/remembered'
import { lowerCaseHeaderName, readRequestHeaderNames } from './cors-safelist'

/**
 * Reads the API key from Node's flat `req.rawHeaders` (`[name, value, name, value, ...]`),
 * trying `headerNames` in order, names matched case-insensitively.
 * - `Authorization` counts only as `Bearer <key>` (scheme in any case); another scheme, or a
 *   Bearer with nothing after it, falls through to the next header.
 * - An empty value is treated as an absent header and falls through too.
 * - A header that appears more than once yields no key, without trying the next header: a client
 *   sending two keys must not get to pick the friendlier one.
 * Keys are returned exactly as sent, apart from the whitespace around them.
 */
export function extractKey(rawHeaders: string[], headerNames: string[]): string | undefined {
  const names = readRequestHeaderNames(rawHeaders).lower
  for (const headerName of headerNames) {
    const wanted = lowerCaseHeaderName(headerName)
    const found = findOnlyValue(rawHeaders, names, wanted)
    if (found === REPEATED) return undefined

    if (found === undefined) continue
    const key = wanted === 'authorization' ? bearerToken(found) : found.trim()
    if (key !== undefined && key !== '') return key
  }
  return undefined
}

/**
 * The bucket name a request is charged to: `key <hash>` for a key, `anonymous <ip>` for keyless
 * requests (an empty key counts as none). An IPv4 address seen through an IPv6 socket
 * (`::ffff:127.0.0.1`) is shown in its IPv4 form, so one client keeps one bucket.
 */
export function bucketFor(key: string | undefined, clientAddress: string): string {
  if (key !== undefined && key !== '') return keyBucketOf(key)
  return anonymousBucketOf(clientAddress)
}

/**
 * A stable, non-reversible id for a key: the first 16 hex characters of its SHA-256. Safe to
 * log and store where the key itself must not appear. A developer's traffic uses a handful of
 * keys, so each is hashed once.
 */
export const hashKey = remembered((key) => hash('sha256', key, 'hex').slice(0, 16))

// Bucket names are looked up in the limiter's maps on every request: a remembered name is one
// string with its hash already known, where a new one would be built and hashed each time.
const keyBucketOf = remembered((key) => `key ${hashKey(key)}`)
const anonymousBucketOf = remembered((address) => `anonymous ${unmapAddress(address)}`)

const REPEATED = Symbol('repeated')

/** The one value of a header, undefined when absent, `REPEATED` when it appears more than once. */
function findOnlyValue(
  rawHeaders: string[],
  lowerNames: readonly string[],
  wanted: string,
): string | typeof REPEATED | undefined {
  let found: string | undefined
  for (let index = 0; index < lowerNames.length; index++) {
    if (lowerNames[index] !== wanted) continue
    if (found !== undefined) return REPEATED
    found = rawHeaders[2 * index + 1] as string
  }
  return found
}

function bearerToken(value: string): string | undefined {
  const match = /^\s*bearer(?:\s+(.*))?$/is.exec(value)
  if (match === null) return undefined
  return (match[1] ?? '').trim()
}

function unmapAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  return mapped?.[1] ?? address
}

/** The key a request was logged with, as its row keeps it. */
export interface RecordedKey {
  keyMasked?: string
  keyHash?: string
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization'])
/** An `Authorization` value that is only a scheme name, with no credential after it. */
const CREDENTIAL_SCHEMES = /^(basic|bearer|digest|negotiate|token|apikey)$/i
// Masked whatever the config says now: most logs were written with these as the key headers.
const DEFAULT_KEY_HEADERS = defaultConfig(':memory:').keys.headers.map((name) => name.toLowerCase())

/**
 * `headers` with their credentials masked, the scheme of an `Authorization` line kept
 * (`Bearer sk_live_…9f2c`): the values of `keyHeaders` and of the default key headers, every
 * `Authorization` and `Proxy-Authorization`, and any other line whose whole value is the key the
 * request was logged with, so an old row's key stays hidden after `keys.headers` has changed. A
 * key inside a longer value (a cookie, say) is not found.
 */
export function maskCredentials(
  headers: HeaderList,
  keyHeaders: readonly string[],
  recorded: RecordedKey = {},
): HeaderList {
  const keyNames = new Set([
    ...DEFAULT_KEY_HEADERS,
    ...keyHeaders.map((name) => name.toLowerCase()),
  ])
  // What a mask shows after its ellipsis is the key's own ending: only a value ending the same way
  // is masked and hashed to compare. This runs for every row a UI shows.
  const { keyMasked, keyHash } = recorded
  const ending = keyMasked?.slice(keyMasked.lastIndexOf('\u2026') + 1)
  const isRecordedKey = (value: string) =>
    keyHash !== undefined &&
    ending !== undefined &&
    (ending === '' ? value.length <= 4 : value.endsWith(ending)) &&
    maskKey(value) === keyMasked &&
    hashKey(value) === keyHash

  return headers.map(([name, value]): [string, string] => {
    const lower = name.toLowerCase()
    const trimmed = value.trim()
    if (trimmed === '') return [name, value]
    if (CREDENTIAL_HEADERS.has(lower)) {
      // `Bearer` with nothing after it carries no credential, and is shown as it is.
      const match = /^(\s*\S+\s+)(.*?)(\s*)$/s.exec(value)
      if (match === null) return [name, CREDENTIAL_SCHEMES.test(trimmed) ? value : maskKey(trimmed)]
      if (match[2] === '') return [name, value]
      return [name, `${match[1]}${maskKey(match[2]!)}${match[3]}`]
    }
    if (keyNames.has(lower) || isRecordedKey(trimmed)) return [name, maskKey(trimmed)]
    return [name, value]
  })
}
