/**
 * `npm run bench`: after the build, every part in turn: proxy, limiter, ui, har, whatif, replay.
 * Prints each part's table beside its goals and writes the same figures to
 * out/bench/results.json.
 *
 *   node test/bench/run.mjs --only har,replay      (or BENCH_ONLY=har,replay)
 *
 * runs some parts alone; their figures go to out/bench/results-har-replay.json, so a partial
 * run never overwrites a full one. Each part but ui runs in processes of its own (see proxy.mjs
 * for the proxy's layout); the BENCH_* variables each part reads shorten it.
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChild } from './bench-process.mjs'
import { measureProxies } from './proxy.mjs'
import {
  formatLimiterTable,
  formatLoadAverage,
  formatLogCheck,
  formatProxyTable,
  judgeTargets,
} from './report.mjs'
import {
  formatLimiterShare,
  judgeLimiterShare,
  reportHar,
  reportReplay,
  reportWhatIf,
} from './report-traffic.mjs'
import { formatSoak, runSoak } from './soak.mjs'
import { formatUiBench, runUiBench } from './ui.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const PARTS = ['proxy', 'limiter', 'ui', 'har', 'whatif', 'replay', 'soak']

const number = (name, fallback) => Number(process.env[name] ?? fallback)
const durations = {
  warmupS: number('BENCH_WARMUP_S', 2),
  sliceS: number('BENCH_SLICE_S', 2),
  autocannonRounds: number('BENCH_ROUNDS', 4),
  sequentialSliceS: number('BENCH_SEQUENTIAL_SLICE_S', 1),
  sequentialRounds: number('BENCH_SEQUENTIAL_ROUNDS', 6),
}
const uiOptions = {
  rows: number('BENCH_UI_ROWS', 100_000),
  loads: number('BENCH_UI_LOADS', 3),
  scrollMs: number('BENCH_UI_SCROLL_MS', 5000),
}

const script = (file) => path.join(here, file)
const gc = { execArgv: ['--expose-gc'] }
const runners = {
  proxy: () => measureProxies(durations),
  limiter: () => runChild(script('limiter.mjs'), [], gc),
  ui: () => runUiBench(uiOptions),
  har: () => runChild(script('har.mjs')),
  whatif: () => runChild(script('what-if.mjs'), [], gc),
  replay: () => runChild(script('replay.mjs')),
  soak: () => runSoak({ seconds: number('BENCH_SOAK_S', 60) }),
}

const parts = readSelection()
const resultsFile = path.join(
  root,
  parts.length === PARTS.length
    ? 'out/bench/results.json'
    : `out/bench/results-${parts.join('-')}.json`,
)

// Other work on the machine skews every figure; the load average, sampled, shows whether any ran.
const loadSamples = [os.loadavg()[0]]
const sampler = setInterval(() => loadSamples.push(os.loadavg()[0]), 5000)
const startedAt = Date.now()

const results = {}
for (const part of parts) {
  process.stderr.write(`bench: ${part}\n`)
  results[part] = await runners[part]().catch((error) => ({ error: error.message }))
}
clearInterval(sampler)
loadSamples.push(os.loadavg()[0])

const { proxy: targets, limiter, ui } = results
const judged = targets ? judgeTargets(targets) : undefined
const limiterShare = judgeLimiterShare(targets, limiter)
const har = results.har && reportHar(results.har)
const whatIf = results.whatif && reportWhatIf(results.whatif)
const replay = results.replay && reportReplay(results.replay)

const summary = {
  date: new Date(startedAt).toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  parts,
  durations,
  loadAverage: {
    before: loadSamples[0],
    after: loadSamples.at(-1),
    mean: loadSamples.reduce((sum, load) => sum + load, 0) / loadSamples.length,
    max: Math.max(...loadSamples),
  },
  targets,
  ratios: judged?.ratios,
  log: judged?.log,
  limiter,
  limiterShare,
  ui,
  har: results.har && { ...results.har, goals: har.goals },
  whatIf: results.whatif && { ...results.whatif, goals: whatIf.goals },
  replay: results.replay && { ...results.replay, goals: replay.goals },
  soak: results.soak,
  elapsedS: (Date.now() - startedAt) / 1000,
}

if (targets) {
  console.log(formatProxyTable(targets))
  console.log(judged.lines.join('\n'))
  console.log(formatLimiterShare(limiterShare))
  console.log(formatLogCheck(judged.log))
}
if (limiter) console.log(formatLimiterTable(limiter))
if (ui) console.log(ui.error ? `\nUI bench failed: ${ui.error}` : `\n${formatUiBench(ui)}`)
for (const part of [har, whatIf, replay]) if (part) console.log(part.text)
if (results.soak) {
  console.log(
    results.soak.error ? `\nSoak failed: ${results.soak.error}` : `\n${formatSoak(results.soak)}`,
  )
}
console.log(`\nThe whole run\n${formatLoadAverage(summary.loadAverage, summary.cpus)}`)

fs.mkdirSync(path.dirname(resultsFile), { recursive: true })
fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2) + '\n')
console.log(`\n${path.relative(root, resultsFile)} written; the bench took ${summary.elapsedS} s`)

// Missed goals are figures to read, not failures; a part or target that did not run is one.
const failed =
  Object.values(results).some((result) => result.error) ||
  Object.values(targets ?? {}).some((target) => target.error) ||
  (judged?.log && !judged.log.complete)
if (failed) process.exitCode = 1

/** The parts named by `--only a,b` or BENCH_ONLY, in the bench's own order; default all. */
function readSelection() {
  const flag = process.argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='))
  const arg = process.argv[flag]
  const named =
    flag === -1 ? process.env.BENCH_ONLY : arg.includes('=') ? arg.slice(7) : process.argv[flag + 1]
  if (!named) return PARTS

  const wanted = named.split(',').map((part) => part.trim().toLowerCase().replace('-', ''))
  const unknown = wanted.filter((part) => !PARTS.includes(part))
  if (unknown.length > 0 || wanted.length === 0) {
    process.stderr.write(
      `bench: unknown part ${unknown.join(', ')}; choose from ${PARTS.join(', ')}\n`,
    )
    process.exit(2)
  }
  return PARTS.filter((part) => wanted.includes(part))
}
