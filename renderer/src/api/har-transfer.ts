/**
 * HAR files to and from the core. They travel as raw bodies on the control API's two HAR routes,
 * with the token in the Authorization header like every call, never in an address.
 */

import type { HarImportSummary, SelectionFilter } from '../../../shared/api'
import type { ErrorCode } from '../../../shared/errors'
import { CallError, readConnection } from './client'

/** Uploads a HAR file into `session`; the summary lists each entry that was left out, and why. */
export async function importHarFile(file: Blob, session: string): Promise<HarImportSummary> {
  const response = await send(`har.import?session=${encodeURIComponent(session)}`, {
    method: 'POST',
    body: file,
  })
  return (await response.json()) as HarImportSummary
}

/**
 * Downloads the exchanges `filter` selects as a HAR file. The core sends it as an attachment;
 * the browser saves it from a local object address under the name the core gave.
 */
export async function downloadHar(filter: SelectionFilter, revealKeys: boolean): Promise<void> {
  const query = new URLSearchParams({ filter: JSON.stringify(filter) })
  if (revealKeys) query.set('reveal', 'true')
  const response = await send(`har.export?${query}`, { method: 'GET' })
  const blob = await response.blob()

  const disposition = response.headers.get('Content-Disposition') ?? ''
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'tollgate.har'
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  // The click has handed the data to the download by now; a later revoke only frees memory.
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}

async function send(route: string, init: RequestInit): Promise<Response> {
  const { baseUrl, token } = readConnection()
  let response: Response
  try {
    response = await fetch(`${baseUrl}/api/${route}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}` },
    })
  } catch {
    throw new CallError('NETWORK', `Tollgate at ${baseUrl} did not answer. Is it running?`, 0)
  }
  if (response.ok) return response

  const body = (await response.json().catch(() => undefined)) as
    { error?: { code: ErrorCode; message: string } } | undefined
  throw new CallError(
    body?.error?.code ?? 'INTERNAL',
    body?.error?.message ?? `${route.split('?')[0]} failed with HTTP ${response.status}.`,
    response.status,
  )
}
