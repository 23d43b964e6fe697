/**
 * Bodies between the log and HAR files. The log keeps bodies as they crossed the wire, still
 * compressed; a HAR file holds them decoded, as text or base64. These helpers convert between
 * the two and decide which form a body takes in a file.
 */

import { isUtf8 } from 'node:buffer'
import zlib from 'node:zlib'
import type { HeaderList } from '../../../shared/exchange'

/** Content codings Tollgate can undo and redo. */
const KNOWN_CODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br'])

// Fixed parameters, so encoding the same bytes twice gives the same bytes: an import, its export
// and the re-import of that export then store identical bodies.
const BROTLI_OPTIONS = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }

const TEXTUAL_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-www-form-urlencoded',
  'application/graphql',
  'application/x-ndjson',
])

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/
const SPACE = /\s/

/** Every content coding named by `Content-Encoding`, in the order applied, `identity` left out. */
export function readContentCodings(headers: HeaderList): string[] {
  const codings: string[] = []
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'content-encoding') continue
    for (const token of value.split(',')) {
      const coding = token.trim().toLowerCase()
      if (coding !== '' && coding !== 'identity') codings.push(coding)
    }
  }
  return codings
}

/** The codings in the list Tollgate cannot undo, as written. */
export function findUnknownCodings(codings: readonly string[]): string[] {
  return codings.filter((coding) => !KNOWN_CODINGS.has(coding))
}

/** Undoes the codings, last applied first; undefined when one is unknown or the bytes are not valid. */
export function decodeContent(bytes: Uint8Array, codings: readonly string[]): Buffer | undefined {
  let current = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  try {
    for (let index = codings.length - 1; index >= 0; index--) {
      const coding = codings[index] as string
      if (coding === 'gzip' || coding === 'x-gzip') current = zlib.gunzipSync(current)
      else if (coding === 'br') current = zlib.brotliDecompressSync(current)
      else if (coding === 'deflate') current = inflate(current)
      else return undefined
    }
  } catch {
    return undefined
  }
  return current
}

/** Applies the codings in order; undefined when one is unknown. */
export function encodeContent(bytes: Uint8Array, codings: readonly string[]): Buffer | undefined {
  let current = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (const coding of codings) {
    if (coding === 'gzip' || coding === 'x-gzip') current = zlib.gzipSync(current)
    else if (coding === 'br') current = zlib.brotliCompressSync(current, BROTLI_OPTIONS)
    else if (coding === 'deflate') current = zlib.deflateSync(current)
    else return undefined
  }
  return current
}

// Servers disagree on what "deflate" means: most send the zlib format, some the raw stream.
function inflate(bytes: Buffer): Buffer {
  try {
    return zlib.inflateSync(bytes)
  } catch {
    return zlib.inflateRawSync(bytes)
  }
}

/** Whether a Content-Type names a format people read as text. */
export function isTextualType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase()
  return (
    essence.startsWith('text/') ||
    essence.endsWith('+json') ||
    essence.endsWith('+xml') ||
    TEXTUAL_TYPES.has(essence)
  )
}

/** A body as a HAR file writes it: text when it is valid UTF-8 of a textual type, else base64. */
export function writeBodyText(
  bytes: Uint8Array,
  contentType: string | undefined,
): { text: string; encoding?: 'base64' } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (isTextualType(contentType) && isUtf8(buffer)) return { text: buffer.toString('utf8') }
  return { text: buffer.toString('base64'), encoding: 'base64' }
}

/** Decodes base64 (standard or URL alphabet, padding optional); undefined when it is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = SPACE.test(text) ? text.replace(/\s+/g, '') : text
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) return undefined
  return Buffer.from(compact, 'base64')
}

/** The first value of a header, or undefined. */
export function firstHeader(headers: HeaderList, lowerName: string): string | undefined {
  for (const [name, value] of headers) {
    if (name.toLowerCase() === lowerName) return value
  }
  return undefined
}
