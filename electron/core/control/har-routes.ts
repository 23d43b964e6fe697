/**
 * The control API's two HAR routes. HAR files are too large for JSON params, so they travel as
 * raw bodies: `GET /api/har.export` streams a download, `POST /api/har.import` streams an upload
 * into a session. Both sit behind the same Host, Origin and token checks as every method.
 */

import fs from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { TollgateError } from '../../../shared/errors'
import type { ReplayService } from '../replay/replay-runs'
import { readSelectionParams } from '../replay/selection-params'

/** The routes' names, as they follow `/api/`. */
export const HAR_ROUTES = new Set(['har.export', 'har.import'])

/**
 * Answers a HAR route. Returns the JSON result to send for an import; an export has been
 * streamed by the time it resolves.
 */
export async function handleHarRoute(
  name: string,
  request: IncomingMessage,
  response: ServerResponse,
  service: ReplayService,
): Promise<{ json: unknown } | undefined> {
  const query = new URL(request.url ?? '/', 'http://control').searchParams
  const expected = name === 'har.export' ? 'GET' : 'POST'
  if (request.method !== expected) {
    response.setHeader('Allow', expected)
    throw new TollgateError('BAD_REQUEST', `Call ${name} with ${expected}.`)
  }

  if (name === 'har.import') {
    const session = query.get('session')?.trim()
    if (!session) {
      throw new TollgateError(
        'BAD_REQUEST',
        'har.import needs ?session=<name>, the session the entries are recorded under.',
      )
    }
    return { json: await service.importHar(request, session) }
  }

  const filter = readFilterParam(query.get('filter'))
  const exported = await service.exportHar(filter, query.get('reveal') === 'true')
  try {
    await streamFile(exported.file, response)
  } finally {
    exported.remove()
  }
  return undefined
}

function readFilterParam(text: string | null) {
  if (text === null || text === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new TollgateError(
      'BAD_REQUEST',
      `har.export: the filter ${JSON.stringify(text)} is not JSON (${(error as Error).message}). Pass ?filter=${encodeURIComponent('{"session":"name"}')}.`,
    )
  }
  const selection = readSelectionParams({ filter: parsed }, 'har.export')
  return 'filter' in selection ? selection.filter : {}
}

function streamFile(file: string, response: ServerResponse): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  response.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Disposition': `attachment; filename="tollgate-${stamp}.har"`,
    'Content-Length': fs.statSync(file).size,
    'Cache-Control': 'no-store',
  })
  return new Promise((resolve) => {
    const stream = fs.createReadStream(file)
    stream.on('error', () => response.destroy())
    response.on('close', () => {
      stream.destroy()
      resolve()
    })
    stream.pipe(response)
  })
}
