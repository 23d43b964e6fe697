/**
 * Imports a HAR 1.2 file into the traffic log as a named session, streaming: the file is read in
 * chunks and each entry is recorded as soon as it is complete, so a file of any size imports in
 * the memory its largest entry needs.
 */

import fs from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { TollgateError } from '../../../shared/errors'
import type { Store } from '../store'
import { HarEntryScanner, type ScannedEntry } from './entry-scanner'
import type { HarProblem } from './har-types'
import { readHarEntry } from './read-har-entry'

export interface ImportHarOptions {
  /** The session the entries are recorded under, e.g. the file's name. Added to if it exists. */
  session: string
  /** Headers the API key is read from; default the config default, Authorization then X-API-Key. */
  keyHeaders?: string[]
  /** Entries longer than this many characters are skipped. Default 256 Mi. */
  maxEntryChars?: number
  /** Stops the import between chunks; what was recorded so far stays. */
  signal?: AbortSignal
}

export interface HarImportResult {
  session: string
  /** Entries recorded. */
  imported: number
  /** Entries left out; each has a problem saying why. */
  skipped: number
  /** Per entry, in file order: what was skipped or taken only in part, and why. */
  problems: HarProblem[]
}

/** A file path, or the file's bytes as they arrive (an upload, a test's generator). */
export type HarSource = string | AsyncIterable<Uint8Array | string>

const READ_CHUNK_BYTES = 1024 * 1024
// Written in batches this size, so the store's queue stays short however fast the file reads.
const FLUSH_EVERY = 500

/**
 * Streams a HAR file into `store` under `options.session`. Entries that are not usable are
 * skipped and reported, never fatal. Throws a TollgateError `HAR_INVALID` when the source cannot
 * be read or is not a HAR document at all; a document that breaks off after some entries keeps
 * those and reports where it broke.
 */
export async function importHar(
  store: Store,
  source: HarSource,
  options: ImportHarOptions,
): Promise<HarImportResult> {
  if (options.session.trim() === '') {
    throw new TollgateError(
      'HAR_INVALID',
      'The session name for a HAR import is empty. Pass a name, such as the file name.',
    )
  }

  const keyHeaders = options.keyHeaders ?? ['Authorization', 'X-API-Key']
  const result: HarImportResult = {
    session: options.session,
    imported: 0,
    skipped: 0,
    problems: [],
  }
  const scanner = new HarEntryScanner({ maxEntryChars: options.maxEntryChars })
  const decoder = new StringDecoder('utf8')
  let pending = 0

  // Entries completed in a chunk are recorded even when the same chunk then turns out broken.
  const completed: ScannedEntry[] = []
  const scan = (text: string) => {
    try {
      scanner.push(text, completed)
    } finally {
      for (const scanned of completed.splice(0)) {
        recordEntry(store, scanned, options.session, keyHeaders, result)
        if (++pending >= FLUSH_EVERY) {
          store.flush()
          pending = 0
        }
      }
    }
  }

  try {
    for await (const chunk of readChunks(source)) {
      options.signal?.throwIfAborted()
      scan(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer))
    }
    scan(decoder.end())
    scanner.end()
  } catch (error) {
    store.flush()
    // Nothing usable yet means this is not a HAR file; after entries, it is a file that broke off.
    if (!(error instanceof TollgateError) || scanner.entriesSeen === 0) throw error
    if (scanner.insideEntry) result.skipped++
    result.problems.push({
      index: scanner.entriesSeen,
      problem: scanner.documentEnded
        ? `${error.message} Every entry was read; what follows the document was ignored.`
        : `${error.message} Entries from this one on were not read.`,
    })
  }

  store.flush()
  return result
}

function recordEntry(
  store: Store,
  scanned: ScannedEntry,
  session: string,
  keyHeaders: string[],
  result: HarImportResult,
): void {
  const { index } = scanned
  if (scanned.type === 'oversized') {
    result.skipped++
    result.problems.push({
      index,
      problem: `the entry is ${scanned.chars} characters long, more than the import limit; it is skipped`,
    })
    return
  }

  let parsed: unknown
  try {
    parsed = JSON.parse(scanned.text)
  } catch (error) {
    result.skipped++
    result.problems.push({
      index,
      problem: `the entry is not valid JSON (${(error as Error).message}); it is skipped`,
    })
    return
  }

  const read = readHarEntry(parsed, { keyHeaders })
  for (const problem of read.problems) result.problems.push({ index, problem })
  if ('skipped' in read) {
    result.skipped++
    result.problems.push({ index, problem: `${read.skipped}; the entry is skipped` })
    return
  }

  store.record({ ...read.exchange, id: store.nextId(), session })
  result.imported++
}

async function* readChunks(source: HarSource): AsyncIterable<Uint8Array | string> {
  if (typeof source !== 'string') {
    yield* source
    return
  }

  const stream = fs.createReadStream(source, { highWaterMark: READ_CHUNK_BYTES })
  try {
    yield* stream
  } catch (error) {
    const reason = (error as Error).message
    throw new TollgateError(
      'HAR_INVALID',
      `Cannot read the HAR file ${source}: ${reason}. Check the path and that the file is readable.`,
      { cause: error },
    )
  } finally {
    stream.destroy()
  }
}
