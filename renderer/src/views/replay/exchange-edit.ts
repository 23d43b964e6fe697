/**
 * A recorded exchange as an editable form, and the edit `replay.start` takes back from it. Only
 * the fields the user changed go into the edit, so an untouched request leaves exactly as it was
 * recorded: header spelling, order, repeats and body bytes included.
 */

import type { ExchangeDetail, ReplaySelectionParams } from '../../../../shared/api'
import type { HeaderList } from '../../../../shared/exchange'
import { headerValue } from '../../lib/headers'
import { base64ToBytes } from '../detail/decode-body'

export type ExchangeEdit = NonNullable<Extract<ReplaySelectionParams, { id: number }>['edit']>

/** The form's fields, as typed. */
export interface EditDraft {
  method: string
  /** Path and query. */
  url: string
  /** One `Name: value` line per header line, in recorded order. */
  headers: string
  /** The body as UTF-8 text; undefined when the bytes cannot be edited as text. */
  body?: string
  /** Why the body cannot be edited, when it cannot. */
  bodyLocked?: string
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** The form for a recorded exchange, read with its API keys revealed so a replay can use them. */
export function toEditDraft(detail: ExchangeDetail): EditDraft {
  const draft: EditDraft = {
    method: detail.method,
    url: detail.url,
    headers: formatHeaderLines(detail.requestHeaders),
  }
  const bytes = base64ToBytes(detail.requestBodyBase64)
  const coding = headerValue(detail.requestHeaders, 'content-encoding')?.trim().toLowerCase()

  // Text edits of compressed or partly logged bytes would send something else than they show.
  if (coding && coding !== 'identity') {
    draft.bodyLocked = `The body is ${coding}-encoded; it is sent as recorded.`
  } else if (detail.requestBodyTruncated) {
    draft.bodyLocked = 'Only the start of the body was logged; that start is sent as recorded.'
  } else {
    try {
      draft.body = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      draft.bodyLocked = `The body is ${bytes.length} bytes of binary data; it is sent as recorded.`
    }
  }
  return draft
}

export function formatHeaderLines(headers: HeaderList): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join('\n')
}

/** Header lines from the form; blank lines are left out, malformed ones named. */
export function parseHeaderLines(text: string): { headers: HeaderList; problems: string[] } {
  const headers: HeaderList = []
  const problems: string[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon).trim() : ''
    if (!TOKEN.test(name)) {
      problems.push(`Header line ${index + 1}: "${line}" is not in the form "Name: value".`)
      return
    }
    headers.push([name, line.slice(colon + 1).trim()])
  })
  return { headers, problems }
}

/**
 * The edit that turns `original` into `draft`: undefined when nothing changed, and the problems
 * that stop it when a field cannot be sent.
 */
export function buildEdit(
  draft: EditDraft,
  original: EditDraft,
): { edit?: ExchangeEdit; problems: string[] } {
  const edit: ExchangeEdit = {}
  const problems: string[] = []

  const method = draft.method.trim()
  if (method !== original.method) {
    if (TOKEN.test(method)) edit.method = method
    else problems.push(`Method: "${draft.method}" is not a method name such as POST.`)
  }

  const url = draft.url.trim()
  if (url !== original.url) {
    if (url.startsWith('/') || /^https?:\/\//i.test(url)) edit.url = url
    else problems.push(`URL: "${draft.url}" must be a path such as /items?page=2.`)
  }

  if (draft.headers !== original.headers) {
    const parsed = parseHeaderLines(draft.headers)
    problems.push(...parsed.problems)
    edit.headers = parsed.headers
  }

  if (draft.body !== undefined && draft.body !== original.body) {
    edit.bodyBase64 = bytesToBase64(new TextEncoder().encode(draft.body))
  }

  if (problems.length > 0) return { problems }
  return { edit: Object.keys(edit).length > 0 ? edit : undefined, problems }
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  // In slices: spreading a large array into one call would overflow the stack.
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000))
  }
  return btoa(binary)
}
