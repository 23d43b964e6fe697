/**
 * The long load run: many keep-alive connections and a steady request rate through Tollgate for
 * a minute, with the traffic log on and a UI connected to the control API's event stream. It
 * checks that no request fails unless the upstream failed it, that every exchange is logged and
 * pushed to the UI, and that memory comes back down once the load has gone.
 *
 *   npx electron-vite build && node test/bench/soak.mjs [--seconds 60] [--groups 10]
 *
 * Processes: the upstream, Tollgate and the load generator each run alone (see proxy.mjs for
 * why); this process holds the UI client and samples Tollgate's memory and sockets every 5 s.
 * Writes out/bench/soak.json.
 */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startChild } from './bench-process.mjs'
import { formatSoak, judgeSoak } from './soak-report.mjs'
import { listChildProcesses, readOpenFileLimit, readSockets } from './soak-sockets.mjs'
import { connectUi } from './soak-ui.mjs'

export { formatSoak, judgeSoak }

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const SAMPLE_INTERVAL_MS = 5000
const IDLE_AFTER_RUN_MS = 5000
/** Besides one descriptor per connection in the load and in Tollgate: upstream sockets, files. */
const SPARE_FILES = 512
const MIN_SECONDS = 10
const MAX_SECONDS = 240

/**
 * Runs the soak and returns its figures, with `goals` (each met or not); also writes them to
 * `outFile`. Throws when the machine cannot hold the connections or a process fails to start.
 * `groups` spreads the load's pacing across each second (see soak-load.mjs); 1 is one plain
 * autocannon run.
 */
export async function runSoak({
  seconds = 60,
  connections = 1000,
  rate = 2000,
  warmupS = Math.min(5, seconds),
  groups = 10,
  outFile = path.join(root, 'out/bench/soak.json'),
} = {}) {
  // Sockets are sampled every 5 s; upstream.mjs ends itself after five minutes.
  if (seconds < MIN_SECONDS || warmupS + seconds > MAX_SECONDS) {
    throw new Error(
      `The soak runs ${MIN_SECONDS}–${MAX_SECONDS} s with its warm-up; asked ${seconds} s + ${warmupS} s.`,
    )
  }
  const openFiles = readOpenFileLimit()
  const needed = connections + SPARE_FILES
  if (openFiles && openFiles.soft < needed) {
    throw new Error(
      `The soak needs ${needed} open files per process; the limit is ${openFiles.soft}. ` +
        `Raise it (ulimit -n ${needed}) and run again.`,
    )
  }

  const startedAt = Date.now()
  const loadBefore = os.loadavg()[0]
  const deadlineS = warmupS + seconds + 120
  const children = []
  const start = (file, args, options) => {
    const child = startChild(path.join(here, file), args.map(String), options)
    children.push({ file, child })
    return child
  }
  let ui
  let ports = []

  try {
    const upstream = start('upstream.mjs', [])
    const upstreamUrl = (await upstream.nextMessage()).url
    const proxy = start('soak-proxy.mjs', [upstreamUrl, deadlineS], { execArgv: ['--expose-gc'] })
    const { url, controlUrl, token } = await proxy.nextMessage()
    ports = [url, upstreamUrl, controlUrl].map((address) => Number(new URL(address).port))
    ui = await connectUi({ controlUrl, token })

    // One order at a time: the proxy answers in the order it is asked.
    const sample = async ({ gc = false, count = false } = {}) => {
      proxy.send({ type: 'sample', gc, count })
      return proxy.nextMessage()
    }
    const runLoad = async (runSeconds) => {
      const load = start('soak-load.mjs', [url, connections, rate, runSeconds, groups])
      const result = await load.nextMessage()
      await load.stop()
      return result
    }

    const before = await sample({ gc: true })
    process.stderr.write(`soak: ${warmupS} s warm-up\n`)
    const warmup = await runLoad(warmupS)
    await sleep(2000)
    const warmedGc = await sample({ gc: true })

    process.stderr.write(`soak: ${seconds} s at ${rate} requests/s over ${connections} sockets\n`)
    const loadStartedAt = Date.now()
    const samples = []
    let load
    const finished = runLoad(seconds).then((result) => (load = result))
    while (load === undefined) {
      await Promise.race([finished, sleep(SAMPLE_INTERVAL_MS)])
      if (load !== undefined) break
      const { memory, store, upstreamOpened } = await sample()
      const open = readSockets(ports)?.established ?? {}
      samples.push({
        atS: (Date.now() - loadStartedAt) / 1000,
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        pendingRows: store.pending,
        connections: open[ports[0]],
        upstreamConnections: open[ports[1]],
        upstreamOpened,
        uiExchanges: ui.snapshot().distinctIds,
      })
    }

    const afterRun = await sample()
    await sleep(IDLE_AFTER_RUN_MS)
    const afterIdleGc = await sample({ gc: true, count: true })
    const uiCounts = await ui.close()
    ui = undefined

    const final = proxy.nextMessage()
    await proxy.stop()
    const logged = await final
    await stopAll(children)

    const during = [...samples, { rss: afterRun.memory.rss, heapUsed: afterRun.memory.heapUsed }]
    // A sample in the run's last second may catch the load closing its sockets.
    const held = samples
      .filter((entry) => entry.atS < seconds - 1 && entry.connections !== undefined)
      .map((entry) => entry.connections)
    const result = {
      date: new Date(startedAt).toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      // Other work on the same cores shows here; it skews latency and can starve the run.
      loadAverage: { before: loadBefore, after: os.loadavg()[0] },
      options: { seconds, connections, rate, warmupS, groups },
      openFiles,
      warmup,
      load,
      sockets: {
        min: held.length ? Math.min(...held) : undefined,
        max: held.length ? Math.max(...held) : undefined,
        upstreamMax: Math.max(0, ...samples.map((entry) => entry.upstreamConnections ?? 0)),
        upstreamOpened: afterRun.upstreamOpened - warmedGc.upstreamOpened,
      },
      // Tollgate's CPU time over the run, as a share of one core.
      proxyCpuShare: (afterRun.cpuMs - warmedGc.cpuMs) / (load.durationS * 1000),
      samples,
      memory: {
        before: before.memory,
        warmedGc: warmedGc.memory,
        peak: {
          rss: Math.max(...during.map((entry) => entry.rss)),
          heapUsed: Math.max(...during.map((entry) => entry.heapUsed)),
        },
        afterRun: afterRun.memory,
        afterIdleGc: afterIdleGc.memory,
      },
      log: {
        rows: logged.rows,
        rowsAfterIdle: afterIdleGc.rows,
        outcomes: logged.outcomes,
        answered: warmup.answered + load.answered,
        sent: warmup.sent + load.sent,
        store: logged.store,
      },
      ui: uiCounts,
      leftOver: findLeftOver(ports),
      elapsedS: (Date.now() - startedAt) / 1000,
    }
    result.goals = judgeSoak(result)

    fs.mkdirSync(path.dirname(outFile), { recursive: true })
    fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n')
    return result
  } finally {
    await ui?.close()
    await stopAll(children)
  }
}

async function stopAll(children) {
  await Promise.all(children.map(({ child }) => child.stop()))
}

/** Processes this one started that still run, and the bench's ports still listening or open. */
function findLeftOver(ports) {
  const sockets = readSockets(ports)
  return {
    children: listChildProcesses(),
    listening: sockets?.listening ?? [],
    connections: Object.values(sockets?.established ?? {}).reduce((sum, n) => sum + n, 0),
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// Run directly: the figures as a table; a missed goal sets the exit code.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flag = (name) => {
    const at = process.argv.indexOf(name)
    return at === -1 ? undefined : Number(process.argv[at + 1])
  }
  const result = await runSoak({ seconds: flag('--seconds'), groups: flag('--groups') })
  console.log(formatSoak(result))
  console.log(`\n${path.relative(root, path.join(root, 'out/bench/soak.json'))} written`)
  if (result.goals.some((goal) => !goal.met)) process.exitCode = 1
}
