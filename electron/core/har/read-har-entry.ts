/**
 * One HAR entry to one exchange of the log. Whatever the entry gets wrong is reported and worked
 * around where the rest stays meaningful; an entry without a method, URL or start time is skipped.
 */

import type { ExchangeKind, HeaderList, RateLimitDecision } from '../../../shared/exchange'
import { isErrorCode } from '../../../shared/errors'
import { maskKey } from '../../../shared/keys'
import { extractKey, hashKey } from '../api-key'
import { readCorsRequest } from '../cors'
import type { ExchangeTimings, LoggedExchange } from '../store'
import { readHarBody } from './read-har-body'
import {
  firstByteFrom,
  isValidTiming,
  parseStartedDateTime,
  readTimings,
  sumMeasured,
} from './har-timings'

/** An exchange read from a file, still without the id and session the import gives it. */
export type ImportedExchange = Omit<LoggedExchange, 'id' | 'session'>

export interface ReadEntryOptions {
  /** Headers the API key is read from, as in the config's `keys.headers`. */
  keyHeaders: string[]
}

/** The exchange, or why the entry was skipped; `problems` lists what was taken only in part. */
export type ReadEntryResult =
  { exchange: ImportedExchange; problems: string[] } | { skipped: string; problems: string[] }

// HAR files carry no client address; imported traffic is replayed from this machine.
const DEFAULT_CLIENT_ADDRESS = '127.0.0.1'
const KINDS = new Set<ExchangeKind>(['http', 'preflight', 'websocket'])

/** Reads one parsed element of `log.entries`. */
export function readHarEntry(entry: unknown, options: ReadEntryOptions): ReadEntryResult {
  const problems: string[] = []
  const complain = (problem: string) => problems.push(problem)
  if (!isRecord(entry)) return { skipped: 'the entry is not an object', problems }
  const request = isRecord(entry.request) ? entry.request : undefined
  if (request === undefined) return { skipped: 'the entry has no request object', problems }

  const { method, url } = request
  if (typeof method !== 'string' || method === '') {
    return { skipped: `request.method ${JSON.stringify(method)} is not a method name`, problems }
  }
  if (typeof url !== 'string' || url === '') {
    return { skipped: `request.url ${JSON.stringify(url)} is not a URL`, problems }
  }

  const started =
    typeof entry.startedDateTime === 'string'
      ? parseStartedDateTime(entry.startedDateTime)
      : undefined
  if (started === undefined) {
    const shown = JSON.stringify(entry.startedDateTime)
    return { skipped: `startedDateTime ${shown} is not an ISO 8601 date and time`, problems }
  }
  if (!started.zoned) {
    complain(`startedDateTime ${entry.startedDateTime} has no time zone; it is read as UTC`)
  }

  // Timings first: the response's timestamps come from them.
  const startedAt = started.epochMs
  const timings: ExchangeTimings = {
    ...readTimings(entry.timings, complain),
    time: readTotalTime(entry.time, complain),
  }
  if (timings.time === undefined) timings.time = sumMeasured(timings) ?? 0

  const extension = isRecord(entry._tollgate) ? entry._tollgate : {}
  const requestHeaders = readHeaders(request.headers, 'request.headers', complain)
  const flat = flatten(requestHeaders)
  const requestBody = readHarBody(
    {
      source: request.postData,
      side: 'request',
      headers: requestHeaders,
      transferSize: request.bodySize,
      fullSize: extension.requestBodySize,
      stillEncoded: extension.requestBodyEncoded === true,
    },
    complain,
  )

  const cors = readCorsRequest(method, flat)
  const key = extractKey(flat, options.keyHeaders)
  const exchange: ImportedExchange = {
    kind: readKind(extension.kind, entry, cors.isPreflight),
    startedAt,
    endedAt: startedAt + timings.time,
    method,
    url,
    httpVersion: readHttpVersion(request.httpVersion),
    clientAddress:
      typeof extension.clientAddress === 'string' && extension.clientAddress !== ''
        ? extension.clientAddress
        : DEFAULT_CLIENT_ADDRESS,
    requestHeaders,
    requestBody: requestBody.bytes,
    requestBodySize: requestBody.size,
    requestBodyTruncated: requestBody.truncated,
    responseBody: Buffer.alloc(0),
    responseBodySize: 0,
    responseBodyTruncated: false,
    timings,
  }
  const firstByteAt = firstByteFrom(startedAt, timings)
  if (firstByteAt !== undefined) exchange.firstByteAt = firstByteAt
  if (cors.origin !== undefined) exchange.origin = cors.origin
  if (key !== undefined) {
    exchange.keyHash = hashKey(key)
    exchange.keyMasked = maskKey(key)
  }

  // Tollgate's own answers (its 429s, its 502s) keep saying so, or a mock would serve them as
  // the upstream's.
  if (isErrorCode(extension.errorCode)) exchange.errorCode = extension.errorCode
  const rateLimit = readRateLimit(extension.rateLimit)
  if (rateLimit !== undefined) exchange.rateLimit = rateLimit

  readResponse(entry.response, extension, exchange, complain)
  return { exchange, problems }
}

/** The rate-limit decision a Tollgate export wrote, when every field has its type. */
function readRateLimit(value: unknown): RateLimitDecision | undefined {
  if (!isRecord(value)) return undefined
  const { bucket, allowed, limit, windowMs, remaining, resetAt, retryAfterSeconds, enforced } =
    value
  const numbers = [limit, windowMs, remaining, resetAt]
  if (typeof bucket !== 'string' || typeof allowed !== 'boolean' || typeof enforced !== 'boolean')
    return undefined
  if (!numbers.every((number) => typeof number === 'number' && Number.isFinite(number)))
    return undefined
  const decision: RateLimitDecision = {
    bucket,
    allowed,
    limit: limit as number,
    windowMs: windowMs as number,
    remaining: remaining as number,
    resetAt: resetAt as number,
    enforced,
  }
  if (typeof retryAfterSeconds === 'number') decision.retryAfterSeconds = retryAfterSeconds
  return decision
}

function readResponse(
  response: unknown,
  extension: Record<string, unknown>,
  exchange: ImportedExchange,
  complain: (problem: string) => void,
): void {
  if (!isRecord(response)) {
    complain('the entry has no response object; it is stored without one')
    return
  }

  const status = response.status
  if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999) {
    exchange.status = status
  } else if (status !== 0) {
    complain(`response.status ${JSON.stringify(status)} is not an HTTP status; none is stored`)
  }
  // Browsers write status 0 and `_error` for requests that got no response.
  if (typeof response._error === 'string' && response._error !== '') {
    exchange.errorMessage = response._error
  }

  const headers = readHeaders(response.headers, 'response.headers', complain)
  exchange.responseHeaders = headers
  const body = readHarBody(
    {
      source: response.content,
      side: 'response',
      headers,
      transferSize: response.bodySize,
      fullSize: extension.responseBodySize,
      stillEncoded: extension.responseBodyEncoded === true,
    },
    complain,
  )
  exchange.responseBody = body.bytes
  exchange.responseBodySize = body.size
  exchange.responseBodyTruncated = body.truncated
}

/** The entry's total time when it is valid; -1 and absence both mean "add up the phases". */
function readTotalTime(time: unknown, complain: (problem: string) => void): number | undefined {
  if (time === undefined || time === -1) return undefined
  if (isValidTiming(time)) return time
  complain(
    `time ${JSON.stringify(time)} is not a duration of 0 ms or more; the sum of the measured phases is used`,
  )
  return undefined
}

function readHeaders(
  headers: unknown,
  where: string,
  complain: (problem: string) => void,
): HeaderList {
  if (headers === undefined) return []
  if (!Array.isArray(headers)) {
    complain(`${where} is not a list; no headers are stored`)
    return []
  }

  const list: HeaderList = []
  headers.forEach((header: unknown, index) => {
    const { name, value } = isRecord(header) ? header : { name: undefined, value: undefined }
    if (typeof name === 'string' && name !== '' && typeof value === 'string') {
      list.push([name, value])
    } else if (typeof name === 'string' && name !== '' && typeof value === 'number') {
      list.push([name, String(value)])
    } else {
      complain(`${where}[${index}] is not a {name, value} pair of strings; it is left out`)
    }
  })
  return list
}

function readKind(declared: unknown, entry: Record<string, unknown>, isPreflight: boolean) {
  if (typeof declared === 'string' && KINDS.has(declared as ExchangeKind)) {
    return declared as ExchangeKind
  }
  const response = isRecord(entry.response) ? entry.response : {}
  if (entry._resourceType === 'websocket' || response.status === 101) return 'websocket'
  return isPreflight ? 'preflight' : 'http'
}

/** `HTTP/1.1` and `http/1.1` as `1.1`, `h2` as `2.0`, as Node reports versions; others as given. */
function readHttpVersion(version: unknown): string {
  if (typeof version !== 'string') return ''
  const numbered = /^http\/(\d(?:\.\d)?)$/i.exec(version.trim())
  if (numbered !== null) return numbered[1]!.includes('.') ? numbered[1]! : `${numbered[1]}.0`
  const short = /^h(\d)$/i.exec(version.trim())
  return short === null ? version : `${short[1]}.0`
}

function flatten(headers: HeaderList): string[] {
  const flat: string[] = []
  for (const [name, value] of headers) flat.push(name, value)
  return flat
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
