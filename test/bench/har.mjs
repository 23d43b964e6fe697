/**
 * The HAR bench: a generated HAR file of 100 000 entries imported into a fresh traffic log, and
 * exported again, each in a process of its own so its peak resident memory is its own. The
 * baseline, run in turns with the import, is the simplest possible reader: the whole file read
 * into one string and given to JSON.parse. Prints one JSON line.
 *
 *   node test/bench/har.mjs          (after a build; run.mjs runs it)
 *
 * BENCH_HAR_ENTRIES and BENCH_HAR_ROUNDS shorten it.
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { endWithParent, printMessage, runChild } from './bench-process.mjs'
import { writeHarFile } from './har-file.mjs'

const here = fileURLToPath(import.meta.url)
const [mode, ...args] = process.argv.slice(2)
endWithParent()

if (mode === 'phase') {
  const [phase, ...files] = args
  printMessage(await runPhase(phase, files))
} else {
  const entries = Number(process.env.BENCH_HAR_ENTRIES ?? 100_000)
  const rounds = Math.max(1, Number(process.env.BENCH_HAR_ROUNDS ?? 2))
  printMessage(await measureHar(entries, rounds))
}
process.disconnect?.()

async function measureHar(entries, rounds) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-har-bench-'))
  try {
    const file = path.join(temp, 'generated.har')
    const generateStarted = performance.now()
    const fileBytes = await writeHarFile(file, entries)
    const generateS = (performance.now() - generateStarted) / 1000

    // Turns, so drift in the machine's load falls on both readers alike.
    const parses = []
    const imports = []
    const db = path.join(temp, 'traffic.db')
    for (let round = 0; round < rounds; round++) {
      process.stderr.write(`bench: HAR round ${round + 1} of ${rounds}\n`)
      parses.push(await runPhaseChild('parse', [file]))
      removeLog(db)
      imports.push(await runPhaseChild('import', [file, db]))
    }
    const exported = await runPhaseChild('export', [db, path.join(temp, 'exported.har')])

    const parse = fastestOf(parses)
    const imported = fastestOf(imports)
    return {
      entries,
      fileBytes,
      generateS,
      rounds,
      parse,
      import: imported,
      export: exported,
      importVsParse: imported.entriesPerSecond / parse.entriesPerSecond,
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true })
  }
}

/** The faster round is the one less disturbed by other work; memory is the worst seen. */
function fastestOf(runs) {
  const fastest = runs.reduce((best, run) => (run.seconds < best.seconds ? run : best))
  return { ...fastest, peakRssBytes: Math.max(...runs.map((run) => run.peakRssBytes)) }
}

function removeLog(db) {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true })
}

function runPhaseChild(phase, files) {
  return runChild(here, ['phase', phase, ...files])
}

/** One step, timed, with the process's peak RSS and its rise over the step's start. */
async function runPhase(phase, files) {
  const library = phase === 'parse' ? undefined : await import('../../out/main/lib.js')
  const startRss = process.memoryUsage().rss
  const started = performance.now()

  const step = { parse: parseWhole, import: importFile, export: exportLog }[phase]
  const outcome = await step(files, library)

  const seconds = (performance.now() - started) / 1000
  const peakRssBytes = process.resourceUsage().maxRSS * 1024
  return {
    ...outcome,
    seconds,
    entriesPerSecond: outcome.entries / seconds,
    megabytesPerSecond: outcome.bytes / 1e6 / seconds,
    peakRssBytes,
    rssRiseBytes: peakRssBytes - startRss,
  }
}

/** The baseline: the whole document in memory at once, as most tools read HAR. */
async function parseWhole([file]) {
  const text = fs.readFileSync(file, 'utf8')
  const document = JSON.parse(text)
  return { entries: document.log.entries.length, bytes: fs.statSync(file).size }
}

async function importFile([file, db], { importHar, openStore, silentLogger }) {
  const store = openStore({ path: db, logger: silentLogger })
  const result = await importHar(store, file, { session: 'bench' })
  store.close()
  if (result.skipped > 0) throw new Error(`the import skipped ${result.skipped} entries`)
  return { entries: result.imported, bytes: fs.statSync(file).size }
}

async function exportLog([db, file], { exportHar, openStore, silentLogger }) {
  const store = openStore({ path: db, logger: silentLogger })
  const result = await exportHar(store, file)
  store.close()
  return { entries: result.exported, bytes: fs.statSync(file).size }
}
