/**
 * The parts of HAR 1.2 Tollgate reads and writes. Fields starting with `_` are extensions the
 * format allows; `_tollgate` carries what a HAR has no field for, so an export re-imports whole.
 */

import type { CorsVerdict, ExchangeKind, RateLimitDecision } from '../../../shared/exchange'
import type { ErrorCode } from '../../../shared/errors'

export interface HarNameValue {
  name: string
  value: string
}

export interface HarPostData {
  mimeType: string
  text: string
  /** Not in HAR 1.2 for request bodies; written, like on content, when the text is base64. */
  encoding?: 'base64'
}

export interface HarContent {
  /** Length of the decoded body. */
  size: number
  /** Bytes saved by the content coding: decoded size minus transferred size. */
  compression?: number
  mimeType: string
  text: string
  encoding?: 'base64'
}

/** Milliseconds per phase; -1 where the phase was not measured. */
export interface HarTimings {
  blocked: number
  dns: number
  connect: number
  send: number
  wait: number
  receive: number
  ssl: number
}

export interface HarRequest {
  method: string
  url: string
  httpVersion: string
  cookies: HarNameValue[]
  headers: HarNameValue[]
  queryString: HarNameValue[]
  postData?: HarPostData
  headersSize: number
  bodySize: number
}

export interface HarResponse {
  status: number
  statusText: string
  httpVersion: string
  cookies: HarNameValue[]
  headers: HarNameValue[]
  content: HarContent
  redirectURL: string
  headersSize: number
  bodySize: number
  /** Why there is no response, as browsers write it for failed requests. */
  _error?: string
}

/** What Tollgate adds to each entry it exports. */
export interface TollgateEntryExtension {
  /** The exchange's id in the log it was exported from. */
  id: number
  kind: ExchangeKind
  clientAddress: string
  session?: string
  /** The real body sizes, written when the log kept only the start of a body. */
  requestBodySize?: number
  responseBodySize?: number
  /** The text holds the body still compressed, because it could not be decoded. */
  requestBodyEncoded?: true
  responseBodyEncoded?: true
  errorCode?: ErrorCode
  rateLimit?: RateLimitDecision
  cors?: CorsVerdict
}

export interface HarEntry {
  startedDateTime: string
  time: number
  request: HarRequest
  response: HarResponse
  cache: Record<string, never>
  timings: HarTimings
  _tollgate: TollgateEntryExtension
}

export interface HarCreator {
  name: string
  version: string
}

/** A problem with one entry of an imported file, by its index in `log.entries`. */
export interface HarProblem {
  index: number
  problem: string
}
