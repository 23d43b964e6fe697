/**
 * Turns the bench's raw figures into the printed tables and the pass/fail ratios. Pure: takes
 * what run.mjs collected, returns strings and plain data.
 */

/** The targets Tollgate is held to, from the project's performance goals. */
const GOALS = {
  throughputVsHttpProxy: 0.85,
  throughputVsMockttp: 3,
  addedP50Us: 100,
}

/** Lays out rows of cells in columns: the first left-aligned, the rest right-aligned. */
export function formatTable(header, rows) {
  const all = [header, ...rows]
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => String(row[column]).length)),
  )
  const formatRow = (row) =>
    row
      .map((cell, column) =>
        column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]),
      )
      .join('  ')
  return [
    formatRow(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(formatRow),
  ].join('\n')
}

export const fixed = (value, digits = 0) =>
  typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-'

/** CPU time of a proxy process per request sent through it, in microseconds. */
export function cpuUsPerRequest(target) {
  return perRequestUs(target, target?.proxy?.cpuMs)
}

/** CPU time of a proxy's main thread, the one handling requests, per request sent, in us. */
export function mainUsPerRequest(target) {
  return perRequestUs(target, target?.proxy?.mainCpuMs)
}

function perRequestUs(target, milliseconds) {
  if (!target || target.error || typeof milliseconds !== 'number') return undefined
  const sent = target.one.sent + target.many.sent + target.sequential.sent
  return (milliseconds * 1000) / sent
}

export function formatProxyTable(targets) {
  const rows = Object.entries(targets).map(([name, result]) => {
    if (result.error) return [name, `failed: ${result.error}`, ...Array(10).fill('')]
    const { one, many, sequential } = result
    return [
      name,
      fixed(one.requestsPerSecond),
      fixed(one.p50Ms),
      fixed(one.p99Ms),
      fixed(many.requestsPerSecond),
      fixed(many.p50Ms),
      fixed(many.p99Ms),
      fixed(sequential.requestsPerSecond),
      fixed(sequential.p50Us),
      fixed(sequential.p99Us),
      fixed(cpuUsPerRequest(result), 1),
      fixed(mainUsPerRequest(result), 1),
    ]
  })
  const header = [
    'target',
    '1c req/s',
    'p50 ms',
    'p99 ms',
    '32c req/s',
    'p50 ms',
    'p99 ms',
    'seq req/s',
    'p50 us',
    'p99 us',
    'cpu us/req',
    'main us/req',
  ]
  const errors = Object.entries(targets)
    .filter(([, result]) => !result.error)
    .flatMap(([name, { one, many, sequential }]) => {
      const failed = one.errors + one.non2xx + many.errors + many.non2xx + sequential.errors
      return failed > 0 ? [`  ${name}: ${failed} errors or non-2xx answers`] : []
    })

  return [
    '\nProxy bench (1c, 32c: autocannon connections; seq: one request at a time, hrtime-timed;',
    ' cpu us/req: CPU time of the proxy process, all threads, per request sent through it;',
    ' main us/req: the same for its main thread alone, the one that handles requests)',
    formatTable(header, rows),
    ...errors,
  ].join('\n')
}

/** The bench's own processes keep about two cores busy; more than that was other work. */
export function formatLoadAverage({ before, after, mean, max }, cpus) {
  const during =
    max === undefined ? '' : `, ${mean.toFixed(2)} mean and ${max.toFixed(2)} most while running`
  const line = `  1-minute load average: ${before.toFixed(2)} before, ${after.toFixed(2)} after${during} (${cpus} cores)`
  return before > 1 || Math.max(after, max ?? 0) > cpus + 1
    ? `${line}\n  WARNING: other work shared the machine; throughput figures are low and ratios noisy`
    : line
}

/** The three ratios against their goals, and the log check, as data and as printed lines. */
export function judgeTargets(targets) {
  const { tollgate, mockttp } = targets
  const httpProxy = targets['http-proxy']
  const usable = (result) => result && !result.error

  const ratios = {}
  if (usable(tollgate) && usable(httpProxy)) {
    const value = tollgate.many.requestsPerSecond / httpProxy.many.requestsPerSecond
    ratios.throughputVsHttpProxy = { value, goal: `>= ${GOALS.throughputVsHttpProxy}` }
    ratios.throughputVsHttpProxy.met = value >= GOALS.throughputVsHttpProxy
    const added = tollgate.sequential.p50Us - httpProxy.sequential.p50Us
    ratios.addedP50Us = {
      value: added,
      goal: `<= ${GOALS.addedP50Us}`,
      met: added <= GOALS.addedP50Us,
    }
  }
  if (usable(tollgate) && usable(mockttp)) {
    const value = tollgate.many.requestsPerSecond / mockttp.many.requestsPerSecond
    ratios.throughputVsMockttp = { value, goal: `>= ${GOALS.throughputVsMockttp}` }
    ratios.throughputVsMockttp.met = value >= GOALS.throughputVsMockttp
  }

  const mark = (ratio) => (ratio.met ? 'met' : 'MISSED')
  const lines = ['\nTollgate against its goals']
  if (ratios.throughputVsHttpProxy) {
    const ratio = ratios.throughputVsHttpProxy
    lines.push(
      `  req/s at 32c, Tollgate / http-proxy:   ${fixed(ratio.value, 2)}  (goal ${ratio.goal}: ${mark(ratio)})`,
    )
  }
  if (ratios.throughputVsMockttp) {
    const ratio = ratios.throughputVsMockttp
    lines.push(
      `  req/s at 32c, Tollgate / mockttp:      ${fixed(ratio.value, 2)}  (goal ${ratio.goal}: ${mark(ratio)})`,
    )
  }
  if (ratios.addedP50Us) {
    const ratio = ratios.addedP50Us
    lines.push(
      `  p50 at 1c, Tollgate - http-proxy (us): ${fixed(ratio.value, 1)}  (goal ${ratio.goal}: ${mark(ratio)})`,
    )
  }
  if (lines.length === 1) lines.push('  not computed: a target failed')

  return { ratios, lines, log: checkLog(tollgate) }
}

/**
 * Every answered request must have a row. A request written but not answered when a load run
 * stopped may or may not have one (it is logged as aborted), so rows may exceed answers by that.
 */
function checkLog(tollgate) {
  if (!tollgate || tollgate.error) return undefined
  const runs = [tollgate.one, tollgate.many, tollgate.sequential]
  const answered = runs.reduce((sum, run) => sum + run.answered, 0)
  const sent = runs.reduce((sum, run) => sum + run.sent, 0)
  const { rows, rows2xx, store } = tollgate.proxy
  return {
    answered,
    sent,
    rows,
    rows2xx,
    missing: Math.max(0, answered - rows),
    complete: rows >= answered && rows <= sent,
    store,
  }
}

export function formatLogCheck(log) {
  if (!log) return '\nTraffic log: not checked (Tollgate did not run)'
  const verdict = log.complete
    ? 'every answered request has a row'
    : `GAP: ${log.missing} answered requests have no row`
  return [
    '\nTollgate traffic log after the runs',
    `  answered ${log.answered}, sent ${log.sent}, rows ${log.rows} (2xx ${log.rows2xx}): ${verdict}`,
    `  store: pending ${log.store.pending}, dropped ${log.store.dropped}, rejected ${log.store.rejected}`,
  ].join('\n')
}

export function formatLimiterTable(limiter) {
  if (limiter.error) return `\nLimiter bench failed: ${limiter.error}`
  const { policy, timings, heap } = limiter
  const rows = timings.map((timing) => [
    timing.keys.toLocaleString('en-US'),
    timing.decisions.toLocaleString('en-US'),
    fixed(timing.limiterNs, 1),
    fixed(timing.baselineNs, 1),
    fixed(timing.ratio, 2),
    `${fixed(timing.allowedShare * 100)} %`,
    fixed(timing.sweepMs, 2),
  ])
  const header = ['keys', 'decisions', 'limiter ns', 'baseline ns', 'ratio', 'allowed', 'sweep ms']
  const heapLine = heap.gcAvailable
    ? `  heap at ${heap.keys.toLocaleString('en-US')} keys, ${heap.entriesPerKey} entries each: limiter ${fixed(heap.limiterBytes / 2 ** 20, 1)} MiB (${fixed(heap.limiterBytesPerKey)} B/key), baseline ${fixed(heap.baselineBytes / 2 ** 20, 1)} MiB (${fixed(heap.baselineBytesPerKey)} B/key)`
    : '  heap not measured: run node with --expose-gc'

  return [
    `\nLimiter bench (${policy.limit} per ${policy.windowMs / 1000} s, each key at one request a second; baseline: Map lookup + array push)`,
    formatTable(header, rows),
    heapLine,
  ].join('\n')
}
