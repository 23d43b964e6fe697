/**
 * `npm run bench`: the proxy bench, then the limiter bench, after the build. Prints the tables
 * and writes the same figures to out/bench/results.json.
 *
 * Where things run: the upstream, the load generator and each proxy under test get their own
 * process. On two cores that is the fairest split: no proxy shares an event loop with the load
 * or the upstream, so each target pays only for its own work, and the direct target (one process
 * fewer) shows the ceiling the proxies are measured against. The proxies all start first and
 * wait idle while another is measured, so the targets can take turns (see load.mjs).
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startChild } from './bench-process.mjs'
import {
  formatLimiterTable,
  formatLoadAverage,
  formatLogCheck,
  formatProxyTable,
  judgeTargets,
} from './report.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const resultsFile = path.join(root, 'out/bench/results.json')

const seconds = (name, fallback) => Number(process.env[name] ?? fallback)
const durations = {
  warmupS: seconds('BENCH_WARMUP_S', 2),
  sliceS: seconds('BENCH_SLICE_S', 2),
  autocannonRounds: seconds('BENCH_ROUNDS', 4),
  sequentialSliceS: seconds('BENCH_SEQUENTIAL_SLICE_S', 1),
  sequentialRounds: seconds('BENCH_SEQUENTIAL_ROUNDS', 6),
}
const PROXIES = ['http-proxy', 'tollgate', 'mockttp']

// Other work on the machine skews throughput; the load average shows whether there was any.
const loadBefore = os.loadavg()[0]
const startedAt = Date.now()

const targets = await measureProxies()
process.stderr.write('bench: limiter\n')
const limiter = await runChild('limiter.mjs', [], ['--expose-gc']).catch((error) => ({
  error: error.message,
}))

const judged = judgeTargets(targets)
const summary = {
  date: new Date(startedAt).toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  durations,
  loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  targets,
  ratios: judged.ratios,
  log: judged.log,
  limiter,
  elapsedS: (Date.now() - startedAt) / 1000,
}

console.log(formatProxyTable(targets))
console.log(formatLoadAverage(summary.loadAverage, summary.cpus))
console.log(judged.lines.join('\n'))
console.log(formatLogCheck(judged.log))
console.log(formatLimiterTable(limiter))
fs.mkdirSync(path.dirname(resultsFile), { recursive: true })
fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2) + '\n')
console.log(`\n${path.relative(root, resultsFile)} written; the bench took ${summary.elapsedS} s`)

// Missed goals are figures to read, not failures; a target that did not run is one.
const failed = Object.values(targets).some((target) => target.error) || limiter.error
if (failed || (judged.log && !judged.log.complete)) process.exitCode = 1

/** Starts the upstream and every proxy, runs the loads through them, then stops them all. */
async function measureProxies() {
  const { warmupS, sliceS, autocannonRounds, sequentialSliceS, sequentialRounds } = durations
  const children = []
  const targets = {}

  try {
    const upstream = startChild(path.join(here, 'upstream.mjs'))
    children.push(upstream)
    const urls = { direct: (await upstream.nextMessage()).url }

    const proxies = {}
    for (const name of PROXIES) {
      const proxy = startChild(path.join(here, 'proxy-target.mjs'), [name, urls.direct])
      children.push(proxy)
      try {
        urls[name] = (await proxy.nextMessage()).url
        proxies[name] = proxy
      } catch (error) {
        targets[name] = { error: error.message }
      }
    }
    const namedUrls = Object.entries(urls).map(([name, url]) => `${name}=${url}`)

    const loads = {}
    for (const connections of [1, 32]) {
      process.stderr.write(`bench: ${connections} connection(s), targets taking turns\n`)
      const args = ['autocannon', connections, warmupS, sliceS, autocannonRounds, ...namedUrls]
      loads[connections] = await runChild('load.mjs', args)
    }
    process.stderr.write('bench: sequential requests, targets taking turns\n')
    const sequentialArgs = ['sequential', warmupS, sequentialSliceS, sequentialRounds]
    const sequential = await runChild('load.mjs', [...sequentialArgs, ...namedUrls])

    for (const name of Object.keys(urls)) {
      const final = proxies[name]?.nextMessage() ?? Promise.resolve({})
      await proxies[name]?.stop()
      targets[name] = {
        one: loads[1][name],
        many: loads[32][name],
        sequential: sequential[name],
        proxy: await final,
      }
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()))
  }

  return targets
}

/** Runs one of the bench's scripts to completion and returns the JSON line it printed. */
async function runChild(file, args, execArgv = []) {
  const child = startChild(path.join(here, file), args.map(String), { execArgv })
  try {
    return await child.nextMessage()
  } finally {
    await child.stop()
  }
}
