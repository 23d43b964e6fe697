/**
 * Turns a logged body into something to show: content codings undone with the browser's own
 * DecompressionStream, then JSON pretty-printed, text as text, images as images, the rest as hex.
 */

import type { HeaderList } from '../../../../shared/exchange'
import { headerValue, headerValues } from '../../lib/headers'

export type DecodedBody =
  | { kind: 'empty' }
  | { kind: 'json' | 'text'; text: string }
  | { kind: 'image'; mime: string; bytes: Uint8Array }
  | { kind: 'binary'; bytes: Uint8Array }

export interface BodyView {
  body: DecodedBody
  /** The content codings that were undone, outermost last, e.g. `['gzip']`. */
  decodedFrom: string[]
  /** Set when a coding could not be undone: the body is then shown as it was stored. */
  cannotDecode?: string
  /** Set when decoding stopped early, e.g. on a truncated body. */
  incomplete?: string
}

/** Format names DecompressionStream might know each content coding by, tried in order. */
const FORMATS: Record<string, string[]> = {
  gzip: ['gzip'],
  'x-gzip': ['gzip'],
  deflate: ['deflate', 'deflate-raw'],
  br: ['brotli', 'br'],
  zstd: ['zstd'],
}

/** The format names this platform's DecompressionStream accepts, whatever its type library. */
type Format = ConstructorParameters<typeof DecompressionStream>[0]

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}

/** Decodes a body as its headers describe it. Never throws: problems become notes. */
export async function decodeBody(bytes: Uint8Array, headers: HeaderList): Promise<BodyView> {
  if (bytes.length === 0) return { body: { kind: 'empty' }, decodedFrom: [] }

  const codings = headerValues(headers, 'content-encoding')
    .flatMap((value) => value.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')

  // Codings are listed in the order they were applied, so they come off in reverse.
  let current = bytes
  const decodedFrom: string[] = []
  for (const coding of [...codings].reverse()) {
    const result = await decompress(current, coding)
    if (result === undefined) {
      return { body: { kind: 'binary', bytes: current }, decodedFrom, cannotDecode: coding }
    }
    current = result.bytes
    decodedFrom.push(coding)
    if (result.error) {
      const body = classify(current, headerValue(headers, 'content-type'))
      return { body, decodedFrom, incomplete: `${coding} stream ended early: ${result.error}` }
    }
  }

  return { body: classify(current, headerValue(headers, 'content-type')), decodedFrom }
}

/** Whether this browser can undo a content coding. */
export function canDecompress(coding: string): boolean {
  return pickFormat(coding) !== undefined
}

function pickFormat(coding: string): string | undefined {
  for (const format of FORMATS[coding] ?? []) {
    try {
      new DecompressionStream(format as Format)
      return format
    } catch {
      // Not supported here; try the next name.
    }
  }
  return undefined
}

async function decompress(
  bytes: Uint8Array,
  coding: string,
): Promise<{ bytes: Uint8Array; error?: string } | undefined> {
  const format = pickFormat(coding)
  if (format === undefined) return undefined

  const first = await inflate(bytes, format)
  // Some servers send raw deflate under the name `deflate`; browsers accept both.
  if (first.error && coding === 'deflate' && format === 'deflate' && first.bytes.length === 0) {
    const raw = await inflate(bytes, 'deflate-raw')
    if (!raw.error || raw.bytes.length > 0) return raw
  }
  return first
}

/** Inflates what it can; on a corrupt or cut-off stream it keeps the output so far. */
async function inflate(bytes: Uint8Array, format: string) {
  const chunks: Uint8Array[] = []
  let error: string | undefined
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream(format as Format))
    const reader = stream.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught)
  }
  return { bytes: concat(chunks), error }
}

function classify(bytes: Uint8Array, contentType = ''): DecodedBody {
  if (bytes.length === 0) return { kind: 'empty' }
  const mime = contentType.split(';')[0]!.trim().toLowerCase()

  if (mime.startsWith('image/')) return { kind: 'image', mime, bytes }
  const text = readUtf8(bytes)
  if (text === undefined) return { kind: 'binary', bytes }

  if (mime === 'application/json' || mime.endsWith('+json') || looksLikeJson(mime, text)) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(text), null, 2) }
    } catch {
      return { kind: 'text', text }
    }
  }
  return { kind: 'text', text }
}

function looksLikeJson(mime: string, text: string) {
  return (mime === '' || mime === 'text/plain') && /^\s*[[{]/.test(text)
}

/** The text when the bytes are valid UTF-8 without control characters, else undefined. */
function readUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? undefined : text
  } catch {
    return undefined
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  const result = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    result.set(chunk, offset)
    offset += chunk.length
  }
  return result
}

/** Classic hex dump lines: offset, 16 bytes in hex, then the printable characters. */
export function hexDump(bytes: Uint8Array, maxBytes = 64 * 1024): string {
  const lines: string[] = []
  const end = Math.min(bytes.length, maxBytes)
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end))
    const hex = Array.from(row, (byte) => byte.toString(16).padStart(2, '0')).join(' ')
    const ascii = Array.from(row, (byte) =>
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.',
    ).join('')
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`)
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes not shown`)
  return lines.join('\n')
}
