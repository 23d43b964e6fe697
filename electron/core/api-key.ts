/**
 * Which budget a request is charged to: its API key when it carries exactly one, otherwise the
 * address of the socket it came from.
 */

import { hash } from 'node:crypto'

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
  for (const headerName of headerNames) {
    const wanted = headerName.toLowerCase()
    const values = valuesOf(rawHeaders, wanted)
    if (values.length > 1) return undefined

    const value = values[0]
    if (value === undefined) continue
    const key = wanted === 'authorization' ? bearerToken(value) : value.trim()
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
  if (key !== undefined && key !== '') return `key ${hashKey(key)}`
  return `anonymous ${unmapAddress(clientAddress)}`
}

/**
 * A stable, non-reversible id for a key: the first 16 hex characters of its SHA-256. Safe to
 * log and store where the key itself must not appear.
 */
export function hashKey(key: string): string {
  let hashed = recentHashes.get(key)
  if (hashed === undefined) {
    // A developer's traffic uses a handful of keys: hashing each once saves most of the cost.
    if (recentHashes.size >= RECENT_HASH_LIMIT) recentHashes.clear()
    hashed = hash('sha256', key, 'hex').slice(0, 16)
    recentHashes.set(key, hashed)
  }
  return hashed
}

const RECENT_HASH_LIMIT = 10_000
const recentHashes = new Map<string, string>()

function valuesOf(rawHeaders: string[], lowerName: string): string[] {
  const values: string[] = []
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] as string).toLowerCase() === lowerName) {
      values.push(rawHeaders[index + 1] as string)
    }
  }
  return values
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
