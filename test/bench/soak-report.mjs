/**
 * The soak's goals and its table: pure functions of the figures `runSoak` gathered.
 */

const MB = 1024 * 1024
/** Heap after the run may exceed the heap after warm-up by this share, or this much if more. */
const HEAP_MARGIN = { share: 0.2, bytes: 30 * MB }
/** The load counts as sustained when this share of the asked rate was answered. */
const RATE_SHARE = 0.98

/** Each requirement of the soak with whether the run met it and the figures that decided. */
export function judgeSoak(result) {
  const { options, load, log, ui, memory, sockets, leftOver } = result
  const failures = countFailures(result)
  const reopened = countReopened(result)
  // An answer can be logged and then lost with a socket the load closed at the end, never the
  // other way round.
  const logged2xx = sumRows(log.outcomes, (outcome) => String(outcome.status).startsWith('2'))
  const answered2xx = [result.warmup, load]
    .flatMap((run) => Object.entries(run.statusCodes))
    .reduce((sum, [code, n]) => sum + (code.startsWith('2') ? n : 0), 0)
  const heapGrowth = memory.afterIdleGc.heapUsed - memory.warmedGc.heapUsed
  const heapAllowed = Math.max(memory.warmedGc.heapUsed * HEAP_MARGIN.share, HEAP_MARGIN.bytes)

  return [
    {
      name: `${options.connections} keep-alive connections held`,
      met: sockets.min !== undefined && sockets.min >= options.connections && reopened === 0,
      detail: `${sockets.min ?? '?'}–${sockets.max ?? '?'} open at each 5 s sample, ${reopened} reopened`,
    },
    {
      name: `${options.rate} requests/s sustained for ${options.seconds} s`,
      met: load.requestsPerSecond >= options.rate * RATE_SHARE,
      detail: `${load.requestsPerSecond.toFixed(1)}/s answered, lowest full second ${load.perSecond?.min}`,
    },
    {
      name: 'no error the upstream did not cause',
      met: failures.unexplained === 0,
      detail: `${failures.total} errors and non-2xx, ${failures.upstream} logged as the upstream's`,
    },
    {
      name: 'every answered exchange logged',
      met: log.rows >= log.answered && log.rows <= log.sent && logged2xx >= answered2xx,
      detail:
        `${log.rows} rows for ${log.answered} answered + ${log.sent - log.answered} in flight ` +
        `at stop; ${logged2xx} rows with a 2xx for ${answered2xx} 2xx answers`,
    },
    {
      name: 'the UI received every logged exchange',
      met: ui.distinctIds === log.rows && ui.disconnects === 0 && ui.failedCalls.length === 0,
      detail: `${ui.distinctIds} of ${log.rows}, ${ui.disconnects} disconnects`,
    },
    {
      name: 'memory flat after the run',
      met: heapGrowth <= heapAllowed,
      detail: `heap after idle + GC ${signedMb(heapGrowth)} MB against warm-up (allowed ${mb(heapAllowed)})`,
    },
    {
      name: 'nothing left running',
      met: leftOver.children.length + leftOver.listening.length + leftOver.connections === 0,
      detail: describeLeftOver(leftOver),
    },
  ]
}

/** Sockets the load had to open again because one it held was closed. */
export function countReopened({ warmup, load }) {
  return [warmup, load].reduce((sum, run) => sum + run.opened - run.connections, 0)
}

/** Errors and non-2xx answers the load saw, and how many of them the log blames on the upstream. */
export function countFailures({ warmup, load, log }) {
  const total = [warmup, load].reduce((sum, run) => sum + run.errors + run.non2xx, 0)
  const upstream = sumRows(log.outcomes, (outcome) => outcome.errorCode?.startsWith('UPSTREAM_'))
  return { total, upstream, unexplained: Math.max(0, total - upstream) }
}

/** The soak as a table, its goals below as met/missed lines. */
export function formatSoak(result) {
  const { options, openFiles, loadAverage, load, log, ui, memory, sockets } = result
  const latency = load.latencyMs
  const memoryRow = (label, usage) => [label, `${mb(usage.rss)} / ${mb(usage.heapUsed)}`]

  const rows = [
    [
      'load average before/after',
      `${loadAverage.before.toFixed(1)} / ${loadAverage.after.toFixed(1)}`,
    ],
    ['open files allowed', openFiles ? `${openFiles.soft} (hard ${openFiles.hard})` : 'unknown'],
    [
      'connections held',
      `${sockets.min ?? '?'}–${sockets.max ?? '?'}, ${countReopened(result)} reopened`,
    ],
    [
      '  Tollgate to upstream',
      `up to ${sockets.upstreamMax ?? '?'} open, ${sockets.upstreamOpened} opened in the run`,
    ],
    [
      'requests/s answered',
      `${load.requestsPerSecond.toFixed(1)} (full seconds: ${describeSeconds(load)})`,
    ],
    ['Tollgate CPU (1 core = 100 %)', `${Math.round(result.proxyCpuShare * 100)} %`],
    [
      'latency p50/p90/p99/max',
      `${latency.p50} / ${latency.p90} / ${latency.p99} / ${latency.max} ms`,
    ],
    ['errors by kind', describeCounts(mergeCounts(result.warmup.errorKinds, load.errorKinds))],
    ['non-2xx by status', describeCounts(non2xxStatuses(result.warmup, load))],
    ['rows logged', `${log.rows} (answered ${log.answered}, sent ${log.sent})`],
    ['log outcomes', log.outcomes.map(describeOutcome).join(', ')],
    ['UI events', `${ui.messages} messages: ${describeCounts(ui.byType)}`],
    ['UI exchanges', `${ui.exchanges} (${ui.distinctIds} distinct), ${ui.disconnects} drops`],
    [
      'UI lag p50/p99/max',
      ui.lagMs ? `${ui.lagMs.p50} / ${ui.lagMs.p99} / ${ui.lagMs.max} ms` : '-',
    ],
    ['memory, MB', 'RSS / heap'],
    memoryRow('  before the load', memory.before),
    memoryRow('  after warm-up + GC', memory.warmedGc),
    memoryRow('  peak during the run', memory.peak),
    memoryRow('  after the run', memory.afterRun),
    memoryRow('  after 5 s idle + GC', memory.afterIdleGc),
  ]
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}${value}`)
  const goals = judgeSoak(result).map(
    (goal) => `  ${goal.met ? 'met   ' : 'MISSED'} ${goal.name}: ${goal.detail}`,
  )

  const title =
    `Soak: ${options.connections} keep-alive connections, ${options.rate} requests/s for ` +
    `${options.seconds} s through Tollgate, logging on, UI connected\n` +
    `  (after a ${options.warmupS} s warm-up; ${describeGroups(options.groups)})`
  return [title, ...lines, '', ...goals].join('\n')
}

function describeGroups(groups) {
  if (groups === 1) return 'the load as one autocannon run'
  return `the load in ${groups} autocannon runs started ${Math.round(1000 / groups)} ms apart`
}

function sumRows(outcomes, matches) {
  return outcomes.filter(matches).reduce((sum, outcome) => sum + outcome.rows, 0)
}

function describeLeftOver({ children, listening, connections }) {
  const left = [
    ...children.map((child) => `process ${child}`),
    ...listening.map((port) => `port ${port} listening`),
    ...(connections > 0 ? [`${connections} connections open`] : []),
  ]
  return left.join(', ') || 'every child exited, no port listening, no connection open'
}

function describeSeconds({ perSecond }) {
  if (!perSecond) return 'too short to tell'
  return `lowest ${perSecond.min}, mean ${Math.round(perSecond.mean)}, highest ${perSecond.max}`
}

function non2xxStatuses(...runs) {
  const statuses = runs.map((run) =>
    Object.fromEntries(Object.entries(run.statusCodes).filter(([code]) => !code.startsWith('2'))),
  )
  return mergeCounts(...statuses)
}

function mergeCounts(...counts) {
  const merged = {}
  for (const count of counts) {
    for (const [kind, n] of Object.entries(count)) merged[kind] = (merged[kind] ?? 0) + n
  }
  return merged
}

function describeCounts(counts) {
  const entries = Object.entries(counts)
  return entries.length ? entries.map(([kind, n]) => `${kind} ${n}`).join(', ') : 'none'
}

function describeOutcome({ status, errorCode, rows }) {
  return `${[status ?? 'no status', errorCode].filter(Boolean).join(' ')}: ${rows}`
}

const mb = (bytes) => (bytes / MB).toFixed(1)
const signedMb = (bytes) => (bytes >= 0 ? '+' : '') + mb(bytes)
