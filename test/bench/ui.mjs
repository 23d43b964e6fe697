/**
 * The UI bench: a Tollgate whose log holds 100 000 exchanges, 500 requests a second going through
 * its proxy, and headless Chromium opening the inspector. Measures how soon the first table rows
 * show and the longest frame while the table scrolls, prints both beside their targets and writes
 * them to out/bench/ui.json. Run `npm run build` first, then `node test/bench/ui.mjs`, or call
 * `runUiBench()` from another bench.
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { startChild } from './bench-process.mjs'
import { fillLog } from './ui-rows.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const resultsFile = path.join(root, 'out/bench/ui.json')

/** What the inspector is held to. */
export const UI_TARGETS = { firstRowsMs: 1000, longestFrameMs: 50 }

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Runs the bench and resolves with its figures; writes them to out/bench/ui.json as well.
 * `rows` fill the log, `rate` requests a second run through the proxy while the UI is measured,
 * `loads` times the UI is opened, `scrollMs` how long the table scrolls.
 */
export async function runUiBench(options = {}) {
  const { rows = 100_000, rate = 500, loads = 3, scrollMs = 5000 } = options
  const rendererDir = path.join(root, 'out/renderer')
  const libraryFile = path.join(root, 'out/main/lib.js')
  if (!fs.existsSync(libraryFile) || !fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error('The build is missing: run npm run build before the UI bench.')
  }
  const { createTollgate, silentLogger } = await import(pathToFileURL(libraryFile).href)

  // Other work on the machine slows the UI as much as its own; the load average shows any.
  const loadBefore = os.loadavg()[0]
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-ui-bench-'))
  const cleanups = [() => fs.rmSync(temp, { recursive: true, force: true })]
  try {
    const upstream = startChild(path.join(here, 'upstream.mjs'))
    cleanups.push(() => upstream.stop())
    const { url: upstreamUrl } = await upstream.nextMessage()

    const tollgate = await createTollgate({
      listen: { host: '127.0.0.1', port: 0 },
      upstream: upstreamUrl,
      db: path.join(temp, 'traffic.db'),
      logger: silentLogger,
      // Keep every row, so the log holds what was filled plus all the live traffic.
      retention: { maxRows: 0, maxAgeMs: 0 },
      rateLimit: { limit: 600 },
      control: { rendererDir },
    })
    cleanups.push(() => tollgate.close())

    const fillStarted = performance.now()
    fillLog(tollgate.store, rows)
    const fillS = (performance.now() - fillStarted) / 1000

    const load = startChild(path.join(here, 'ui-load.mjs'), [tollgate.url, String(rate)])
    cleanups.push(() => load.stop())
    await load.nextMessage()

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    })
    cleanups.push(() => browser.close())
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.addInitScript(watchFirstRow)

    const firstRowsMs = []
    for (let run = 0; run < loads; run++) {
      // A blank page between runs, or the next address differs only in its fragment and the
      // browser would not load the UI again.
      await page.goto('about:blank')
      await page.goto(tollgate.control.uiUrl)
      const shown = await page.waitForFunction(() => window.firstRowShownMs, null, {
        timeout: 30_000,
      })
      firstRowsMs.push(Math.round(await shown.jsonValue()))
    }

    // At the top the table follows the live traffic, so every batch of new rows replaces what
    // is in view: the heaviest moment that involves no scrolling, kept for reference.
    const tail = await page.evaluate(scrollTable, { durationMs: 3000, stepPx: 0 })
    const scroll = await page.evaluate(scrollTable, { durationMs: scrollMs, stepPx: 120 })

    await load.stop()
    const sent = await load.nextMessage()
    const summary = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
      rowsFilled: rows,
      fillS: round(fillS, 1),
      logRows: tollgate.store.count(),
      traffic: {
        targetPerS: rate,
        sentPerS: round(sent.sent / sent.seconds),
        answeredPerS: round(sent.answered / sent.seconds),
        failed: sent.failed,
      },
      firstRowsMs,
      firstRowsWorstMs: Math.max(...firstRowsMs),
      scroll: summarizeFrames(scroll),
      followingLive: summarizeFrames(tail),
      targets: UI_TARGETS,
    }
    summary.met = {
      firstRows: summary.firstRowsWorstMs < UI_TARGETS.firstRowsMs,
      frames: summary.scroll.longestFrameMs <= UI_TARGETS.longestFrameMs,
    }

    fs.mkdirSync(path.dirname(resultsFile), { recursive: true })
    fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2) + '\n')
    return summary
  } finally {
    while (cleanups.length > 0) await cleanups.pop()()
  }
}

/** The bench's figures as lines for a person, each beside its target. */
export function formatUiBench(summary) {
  const mark = (met) => (met ? 'met' : 'MISSED')
  const { scroll, traffic } = summary
  return [
    `UI bench: ${summary.logRows} rows in the log (${summary.rowsFilled} filled in ${summary.fillS} s), ` +
      `${traffic.answeredPerS} requests/s answered through the proxy (target ${traffic.targetPerS})`,
    `  first rows shown  ${summary.firstRowsWorstMs} ms worst of ${summary.firstRowsMs.join(', ')} ms` +
      `   target < ${summary.targets.firstRowsMs} ms: ${mark(summary.met.firstRows)}`,
    `  longest frame     ${scroll.longestFrameMs} ms while scrolling ${scroll.seconds} s ` +
      `(${scroll.frames} frames, p95 ${scroll.p95FrameMs} ms, ${scroll.rowsLoaded} rows loaded)` +
      `   target <= ${summary.targets.longestFrameMs} ms: ${mark(summary.met.frames)}`,
    `  for reference: longest frame ${summary.followingLive.longestFrameMs} ms while the table ` +
      `follows live traffic at the top for ${summary.followingLive.seconds} s ` +
      `(p95 ${summary.followingLive.p95FrameMs} ms)`,
    `  load average ${summary.loadAverage.before} before, ${summary.loadAverage.after} after, ` +
      `on ${summary.cpus} CPUs (other work on the machine slows every figure)`,
  ].join('\n')
}

/** Runs in the page before its own scripts: notes when a table row first reaches a frame. */
function watchFirstRow() {
  const check = () => {
    if (document.querySelector('.vt-body [role="row"]')) {
      window.firstRowShownMs = performance.now()
    } else {
      requestAnimationFrame(check)
    }
  }
  requestAnimationFrame(check)
}

/**
 * Runs in the page: scrolls the traffic table a step every frame for `durationMs`, down and then
 * back up at the end, and keeps the time between frames.
 */
function scrollTable({ durationMs, stepPx }) {
  const table = document.querySelector('.vt')
  const deltas = []
  let direction = 1
  return new Promise((resolve) => {
    let last
    let end
    const frame = (now) => {
      if (last === undefined) end = now + durationMs
      else deltas.push(now - last)
      last = now
      const bottom = table.scrollHeight - table.clientHeight
      if (table.scrollTop >= bottom - 1) direction = -1
      if (table.scrollTop <= 0) direction = 1
      table.scrollTop += stepPx * direction
      if (now < end) requestAnimationFrame(frame)
      else resolve({ deltas, rowsLoaded: Number(table.getAttribute('aria-rowcount')) - 1 })
    }
    requestAnimationFrame(frame)
  })
}

function summarizeFrames({ deltas, rowsLoaded }) {
  const sorted = [...deltas].sort((a, b) => a - b)
  return {
    seconds: round(deltas.reduce((sum, delta) => sum + delta, 0) / 1000, 1),
    frames: deltas.length,
    longestFrameMs: round(sorted[sorted.length - 1] ?? 0, 1),
    p95FrameMs: round(sorted[Math.floor(sorted.length * 0.95)] ?? 0, 1),
    framesOver50Ms: deltas.filter((delta) => delta > 50).length,
    rowsLoaded,
  }
}

function round(value, digits = 0) {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const summary = await runUiBench()
  console.log(formatUiBench(summary))
  console.log(`\n${path.relative(root, resultsFile)} written`)
}
