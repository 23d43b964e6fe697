/**
 * Exports exchanges of the traffic log as a HAR 1.2 file, streamed: entries are read one at a
 * time and written as they are made, oldest first, so the export takes the memory of one entry
 * and the list of ids whatever the number of exchanges.
 */

import { once } from 'node:events'
import fs from 'node:fs'
import { TollgateError } from '../../../shared/errors'
import { MAX_LIMIT, type ExchangeFilter, type Store } from '../store'
import type { HarCreator } from './har-types'
import { writeHarEntry } from './write-har-entry'

export interface ExportHarOptions {
  /** Which exchanges: any list filter, e.g. `{ session: 'checkout.har' }`. Default all. */
  filter?: ExchangeFilter
  /** Headers that carry API keys, as in the config's `keys.headers`. */
  keyHeaders?: string[]
  /** Write API keys in clear text instead of masked. Default false. */
  revealKeys?: boolean
  /** Written as `log.creator.version`; default `unknown`. */
  version?: string
  /** Stops the export between entries; the partial file is removed. */
  signal?: AbortSignal
}

export interface HarExportResult {
  file: string
  exported: number
}

// Entries are gathered into pieces about this long before they go to the file.
const WRITE_PIECE_CHARS = 256 * 1024

/**
 * Writes the exchanges `options.filter` selects to `file` as HAR 1.2, oldest first. The file
 * appears only once complete: it is written beside the target and renamed at the end. Throws a
 * TollgateError `HAR_INVALID` when the file cannot be written.
 */
export async function exportHar(
  store: Store,
  file: string,
  options: ExportHarOptions = {},
): Promise<HarExportResult> {
  store.flush()
  const ids = collectIds(store, options.filter ?? {})
  const creator: HarCreator = { name: 'Tollgate', version: options.version ?? 'unknown' }
  const writeOptions = {
    keyHeaders: options.keyHeaders ?? ['Authorization', 'X-API-Key'],
    revealKeys: options.revealKeys ?? false,
  }

  const partial = `${file}.partial`
  const stream = fs.createWriteStream(partial)
  // An error event with no listener would crash the process; the next write or the end reports it.
  let failure: Error | undefined
  let wake: (() => void) | undefined
  stream.on('error', (error) => {
    failure = error
    wake?.()
  })

  // Waits for the stream to drain when it asks to, so memory stays at one piece.
  const write = async (text: string) => {
    if (failure) throw failure
    if (!stream.write(text)) {
      await new Promise<void>((resolve) => {
        wake = resolve
        stream.once('drain', resolve)
      })
    }
    if (failure) throw failure
  }

  let exported = 0
  try {
    let piece = `{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"entries":[`
    for (const id of ids) {
      options.signal?.throwIfAborted()
      const exchange = store.get(id)
      // Deleted since the ids were read (retention, a clear): nothing to write.
      if (exchange === undefined) continue

      piece += `${exported === 0 ? '' : ','}\n${JSON.stringify(writeHarEntry(exchange, writeOptions))}`
      exported++
      if (piece.length >= WRITE_PIECE_CHARS) {
        await write(piece)
        piece = ''
      }
    }
    await write(`${piece}\n]}}\n`)

    stream.end()
    await once(stream, 'close')
    if (failure) throw failure
    await fs.promises.rename(partial, file)
  } catch (error) {
    stream.destroy()
    await fs.promises.rm(partial, { force: true })
    if (error instanceof TollgateError || (error as Error).name === 'AbortError') throw error
    throw new TollgateError(
      'HAR_INVALID',
      `Cannot write the HAR file ${file}: ${(error as Error).message}. Choose a writable path.`,
      { cause: error },
    )
  }
  return { file, exported }
}

/** The ids `filter` selects, oldest first; pages are read newest first, as the store lists them. */
function collectIds(store: Store, filter: ExchangeFilter): number[] {
  const ids: number[] = []
  let before: number | undefined
  for (;;) {
    const page = store.list({ ...filter, limit: MAX_LIMIT, before })
    for (const item of page.items) ids.push(item.id)
    if (page.nextCursor === undefined) break
    before = page.nextCursor
  }
  return ids.reverse()
}
