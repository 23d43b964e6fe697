/**
 * How fast a large HAR file imports and how much memory the import takes. Run from a test runner
 * or any TypeScript-aware loader; pass `--expose-gc` for a steadier baseline.
 */

import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { importHar } from '../../../electron/core/har'
import { silentLogger } from '../../../electron/core/logger'
import { openStore } from '../../../electron/core/store'
import { makeTempDir } from '../store/helpers'
import { generateHar } from './har-fixtures'

export interface HarImportBenchReport {
  entries: number
  fileBytes: number
  seconds: number
  entriesPerSecond: number
  megabytesPerSecond: number
  /** Highest resident set size seen during the import, and the rise over the start. */
  peakRssBytes: number
  rssRiseBytes: number
  peakHeapBytes: number
}

/** Generates a HAR of `entries` entries, then times its import into a fresh log on disk. */
export async function benchHarImport(entries = 100_000): Promise<HarImportBenchReport> {
  const temp = makeTempDir()
  const file = path.join(temp.dir, 'generated.har')
  await generateHar(file, entries)
  const store = openStore({ path: temp.file, logger: silentLogger })
  ;(globalThis as { gc?: () => void }).gc?.()

  const startRss = process.memoryUsage().rss
  let peakRss = startRss
  let peakHeap = 0
  const sample = () => {
    const usage = process.memoryUsage()
    peakRss = Math.max(peakRss, usage.rss)
    peakHeap = Math.max(peakHeap, usage.heapUsed)
  }
  const sampler = setInterval(sample, 10)

  const started = performance.now()
  const result = await importHar(store, file, { session: 'bench' })
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  sample()

  const fileBytes = fs.statSync(file).size
  store.close()
  temp.remove()
  if (result.imported !== entries) throw new Error(`imported ${result.imported} of ${entries}`)
  return {
    entries,
    fileBytes,
    seconds: Math.round(seconds * 100) / 100,
    entriesPerSecond: Math.round(entries / seconds),
    megabytesPerSecond: Math.round(fileBytes / 1e6 / seconds),
    peakRssBytes: peakRss,
    rssRiseBytes: peakRss - startRss,
    peakHeapBytes: peakHeap,
  }
}
