/**
 * One exchange of the log to one HAR 1.2 entry: bodies decoded and written as text or base64,
 * API keys masked unless revealing them was asked for, and what HAR has no field for under
 * `_tollgate`, so that the entry re-imports to the same exchange.
 */

import { STATUS_CODES } from 'node:http'
import type { HeaderList } from '../../../shared/exchange'
import { maskCredentials } from '../api-key'
import type { LoggedExchange } from '../store'
import { decodeContent, firstHeader, readContentCodings, writeBodyText } from './body-codec'
import type {
  HarContent,
  HarEntry,
  HarNameValue,
  HarPostData,
  TollgateEntryExtension,
} from './har-types'
import { writeTimings } from './har-timings'

export interface WriteEntryOptions {
  /** Headers that carry API keys, as in the config's `keys.headers`; their values are masked. */
  keyHeaders: string[]
  /** Write keys in clear text. */
  revealKeys: boolean
}

/** Writes one exchange as a HAR entry. */
export function writeHarEntry(exchange: LoggedExchange, options: WriteEntryOptions): HarEntry {
  const { timings, time } = writeTimings(exchange)
  const httpVersion = /^\d/.test(exchange.httpVersion)
    ? `HTTP/${exchange.httpVersion}`
    : exchange.httpVersion
  const requestHeaders = options.revealKeys
    ? exchange.requestHeaders
    : maskCredentials(exchange.requestHeaders, options.keyHeaders, exchange)
  const responseHeaders = exchange.responseHeaders ?? []

  const extension: TollgateEntryExtension = {
    id: exchange.id,
    kind: exchange.kind,
    clientAddress: exchange.clientAddress,
  }
  if (exchange.session !== undefined) extension.session = exchange.session
  if (exchange.errorCode !== undefined) extension.errorCode = exchange.errorCode
  if (exchange.rateLimit !== undefined) extension.rateLimit = exchange.rateLimit
  if (exchange.cors !== undefined) extension.cors = exchange.cors

  const requestBody = describeBody(exchange.requestBody, exchange.requestHeaders)
  if (requestBody.stillEncoded) extension.requestBodyEncoded = true
  if (exchange.requestBodyTruncated) extension.requestBodySize = exchange.requestBodySize
  const responseBody = describeBody(exchange.responseBody, responseHeaders)
  if (responseBody.stillEncoded) extension.responseBodyEncoded = true
  if (exchange.responseBodyTruncated) extension.responseBodySize = exchange.responseBodySize

  const url = absoluteUrl(exchange.url, exchange.requestHeaders)
  const postData: HarPostData | undefined =
    exchange.requestBody.length === 0
      ? undefined
      : {
          mimeType: requestBody.mimeType,
          ...writeBodyText(requestBody.bytes, requestBody.mimeType),
        }
  const content: HarContent = {
    size: responseBody.bytes.length,
    mimeType: responseBody.mimeType || 'x-unknown',
    ...writeBodyText(responseBody.bytes, responseBody.mimeType),
  }
  if (responseBody.decoded) {
    content.compression = responseBody.bytes.length - exchange.responseBody.length
  }

  const entry: HarEntry = {
    startedDateTime: new Date(exchange.startedAt).toISOString(),
    time,
    request: {
      method: exchange.method,
      url,
      httpVersion,
      cookies: readRequestCookies(requestHeaders),
      headers: toNameValues(requestHeaders),
      queryString: readQueryString(url),
      headersSize: -1,
      bodySize: exchange.requestBodySize,
    },
    response: {
      status: exchange.status ?? 0,
      statusText: exchange.status === undefined ? '' : (STATUS_CODES[exchange.status] ?? ''),
      httpVersion,
      cookies: readResponseCookies(responseHeaders),
      headers: toNameValues(responseHeaders),
      content,
      redirectURL: firstHeader(responseHeaders, 'location') ?? '',
      headersSize: -1,
      bodySize: exchange.status === undefined ? -1 : exchange.responseBodySize,
    },
    cache: {},
    timings,
    _tollgate: extension,
  }
  if (postData !== undefined) entry.request.postData = postData
  if (exchange.errorMessage !== undefined) entry.response._error = exchange.errorMessage
  return entry
}

/** A body decoded from its content coding when possible; kept as sent otherwise. */
function describeBody(bytes: Uint8Array, headers: HeaderList) {
  const mimeType = firstHeader(headers, 'content-type') ?? ''
  const codings = readContentCodings(headers)
  if (codings.length === 0 || bytes.length === 0) {
    return { bytes, mimeType, decoded: false, stillEncoded: false }
  }

  const decoded = decodeContent(bytes, codings)
  if (decoded === undefined) return { bytes, mimeType, decoded: false, stillEncoded: true }
  return { bytes: decoded as Uint8Array, mimeType, decoded: true, stillEncoded: false }
}

/** The log keeps the path as the client sent it; a HAR entry needs the whole URL. */
function absoluteUrl(url: string, headers: HeaderList): string {
  if (!url.startsWith('/')) return url
  const host = firstHeader(headers, 'host') ?? firstHeader(headers, ':authority') ?? 'localhost'
  return `http://${host}${url}`
}

function toNameValues(headers: HeaderList): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }))
}

function readQueryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }))
  } catch {
    return []
  }
}

function readRequestCookies(headers: HeaderList): HarNameValue[] {
  const cookies: HarNameValue[] = []
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'cookie') continue
    for (const pair of value.split(';')) cookies.push(splitCookie(pair))
  }
  return cookies.filter((cookie) => cookie.name !== '')
}

function readResponseCookies(headers: HeaderList): HarNameValue[] {
  return headers
    .filter(([name]) => name.toLowerCase() === 'set-cookie')
    .map(([, value]) => splitCookie(value.split(';')[0] ?? ''))
    .filter((cookie) => cookie.name !== '')
}

function splitCookie(pair: string): HarNameValue {
  const separator = pair.indexOf('=')
  if (separator === -1) return { name: pair.trim(), value: '' }
  return { name: pair.slice(0, separator).trim(), value: pair.slice(separator + 1).trim() }
}
