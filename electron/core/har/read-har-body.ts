/**
 * Turns the body of a HAR request or response back into the bytes the log keeps: text or base64,
 * a form rebuilt from its parameters, and the content coding the headers announce put back on.
 */

import type { HeaderList } from '../../../shared/exchange'
import {
  decodeBase64,
  decodeContent,
  encodeContent,
  findUnknownCodings,
  readContentCodings,
} from './body-codec'

/** What a HAR file says about one body. */
export interface HarBodyInput {
  /** `postData` or `content`, as found in the file. */
  source: unknown
  /** `request` or `response`, for messages. */
  side: 'request' | 'response'
  headers: HeaderList
  /** `bodySize` of the message: bytes transferred, -1 or absent when unknown. */
  transferSize: unknown
  /** The full size Tollgate wrote when it kept only the start of the body. */
  fullSize?: unknown
  /** Tollgate wrote the body still compressed, because it could not decode it. */
  stillEncoded?: boolean
}

export interface StoredBody {
  bytes: Buffer
  size: number
  truncated: boolean
}

const EMPTY = Buffer.alloc(0)

/** Reads one body, reporting through `complain` what could not be taken as it stands. */
export function readHarBody(input: HarBodyInput, complain: (problem: string) => void): StoredBody {
  const where = input.side === 'request' ? 'request.postData' : 'response.content'
  const source = isRecord(input.source) ? input.source : undefined
  let bytes = source === undefined ? undefined : readText(source, where, complain)
  if (bytes === undefined && source !== undefined && input.side === 'request') {
    bytes = rebuildFromParams(source, complain)
  }

  const transferSize = typeof input.transferSize === 'number' ? input.transferSize : -1
  if (bytes === undefined) {
    if (transferSize > 0) {
      complain(
        `the ${input.side} body (${transferSize} bytes) is not in the file; it is stored empty and marked truncated`,
      )
      return { bytes: EMPTY, size: transferSize, truncated: true }
    }
    bytes = EMPTY
  }

  const stored = applyCodings(bytes, input, source, complain)
  const fullSize = input.fullSize
  const size =
    typeof fullSize === 'number' && Number.isInteger(fullSize) && fullSize >= stored.length
      ? fullSize
      : stored.length
  return { bytes: stored, size, truncated: size > stored.length }
}

function readText(
  source: Record<string, unknown>,
  where: string,
  complain: (problem: string) => void,
): Buffer | undefined {
  const { text, encoding } = source
  if (text === undefined || text === null) return undefined
  if (typeof text !== 'string') {
    complain(`${where}.text is not a string; the body is stored empty`)
    return EMPTY
  }

  if (encoding === undefined || encoding === null || encoding === '') return Buffer.from(text)
  if (typeof encoding === 'string' && encoding.toLowerCase() === 'base64') {
    const decoded = decodeBase64(text)
    if (decoded !== undefined) return decoded
    complain(`${where}.text is marked base64 but is not valid base64; it is stored as UTF-8 text`)
    return Buffer.from(text)
  }
  complain(
    `${where}.encoding ${JSON.stringify(encoding)} is not one Tollgate reads (only base64); the text is stored as UTF-8`,
  )
  return Buffer.from(text)
}

/** A form body rebuilt from `params`, for files that list the fields instead of the text. */
function rebuildFromParams(
  source: Record<string, unknown>,
  complain: (problem: string) => void,
): Buffer | undefined {
  if (!Array.isArray(source.params)) return undefined
  const params = source.params.filter(isRecord).map((param) => ({
    name: String(param.name ?? ''),
    value: String(param.value ?? ''),
    fileName: typeof param.fileName === 'string' ? param.fileName : undefined,
    contentType: typeof param.contentType === 'string' ? param.contentType : undefined,
  }))
  const mimeType = typeof source.mimeType === 'string' ? source.mimeType : ''

  const boundary = /boundary="?([^";]+)"?/i.exec(mimeType)?.[1]
  if (mimeType.toLowerCase().startsWith('multipart/form-data') && boundary !== undefined) {
    complain(
      'the request body is rebuilt as multipart/form-data from postData.params; the file held the fields, not the bytes',
    )
    return Buffer.from(buildMultipart(params, boundary))
  }

  complain(
    'the request body is rebuilt as application/x-www-form-urlencoded from postData.params; the file held the fields, not the bytes',
  )
  return Buffer.from(
    new URLSearchParams(params.map((p): [string, string] => [p.name, p.value])).toString(),
  )
}

function buildMultipart(
  params: { name: string; value: string; fileName?: string; contentType?: string }[],
  boundary: string,
): string {
  const parts = params.map((param) => {
    const file = param.fileName === undefined ? '' : `; filename="${param.fileName}"`
    const type = param.contentType === undefined ? '' : `\r\nContent-Type: ${param.contentType}`
    const disposition = `Content-Disposition: form-data; name="${param.name}"${file}`
    return `--${boundary}\r\n${disposition}${type}\r\n\r\n${param.value}\r\n`
  })
  return `${parts.join('')}--${boundary}--\r\n`
}

/**
 * HAR files hold bodies decoded, while the log keeps them as sent. A body whose headers announce
 * gzip, deflate or br is compressed again (with fixed settings, so the same text always gives
 * the same bytes), unless the file already holds it compressed.
 */
function applyCodings(
  bytes: Buffer,
  input: HarBodyInput,
  source: Record<string, unknown> | undefined,
  complain: (problem: string) => void,
): Buffer {
  const codings = readContentCodings(input.headers)
  if (codings.length === 0) return bytes

  const unknown = findUnknownCodings(codings)
  if (unknown.length > 0) {
    complain(
      `Content-Encoding ${unknown.join(', ')} is not a content coding Tollgate knows (gzip, deflate, br, identity); the ${input.side} body is kept as given`,
    )
    return bytes
  }
  if (bytes.length === 0 || input.stillEncoded) return bytes

  // The decoded size says which form the text is in; without it, bytes that decode are encoded.
  const decodedSize = source?.size
  const looksDecoded = decodedSize === bytes.length && input.side === 'response'
  if (!looksDecoded && decodeContent(bytes, codings) !== undefined) return bytes
  return encodeContent(bytes, codings) ?? bytes
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
