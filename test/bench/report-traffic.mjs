/**
 * The printed tables of the parts that work on recorded traffic (HAR, "what if", replay) and the
 * limiter's share of a proxied request, each beside its goals. Pure: takes what the parts
 * printed, returns the goals as data and the text.
 */

import { cpuUsPerRequest, fixed, formatTable } from './report.mjs'

/** The goals these parts are held to. */
export const TRAFFIC_GOALS = {
  /** The limiter's decision as a share of Tollgate's CPU time per proxied request. */
  limiterShare: 0.05,
  /** Memory a HAR import or export adds; streaming keeps it flat whatever the file's size. */
  harRssRiseMB: 256,
  /** "A million requests take seconds": under 10 s for a million. */
  whatIfRequestsPerSecond: 100_000,
  /** How late a replayed request may leave at the recorded timing, 99th percentile. */
  replayP99Ms: 10,
}

const MB = 1e6
const count = (value) => value.toLocaleString('en-US')
const rounds = (number) => (number === 1 ? 'one round' : `${number} rounds`)
const mark = (met) => (met ? 'met' : 'MISSED')
const failedLine = (name, result) => `\n${name} failed: ${result?.error ?? 'did not run'}`

/** The limiter's ns per decision at one key over Tollgate's CPU us per proxied request. */
export function judgeLimiterShare(targets, limiter) {
  const cpuUs = cpuUsPerRequest(targets?.tollgate)
  const limiterNs = limiter?.timings?.find((timing) => timing.keys === 1)?.limiterNs
  if (cpuUs === undefined || limiterNs === undefined) return undefined
  const value = limiterNs / (cpuUs * 1000)
  const goal = TRAFFIC_GOALS.limiterShare
  return { limiterNs, cpuUsPerRequest: cpuUs, value, goal: `< ${goal}`, met: value < goal }
}

export function formatLimiterShare(share) {
  if (!share)
    return '  limiter share of a request: not computed (needs the proxy and limiter parts)'
  const percent = (value) => `${fixed(value * 100, 2)} %`
  return (
    `  limiter share of Tollgate's CPU per request: ${percent(share.value)}` +
    `  (${fixed(share.limiterNs, 1)} ns per decision at 1 key / ${fixed(share.cpuUsPerRequest, 1)} us;` +
    ` goal: limiter costs < ${fixed(TRAFFIC_GOALS.limiterShare * 100)} % of a request: ${mark(share.met)})`
  )
}

export function reportHar(har) {
  if (!har || har.error) return { goals: undefined, text: failedLine('HAR bench', har) }
  const limit = TRAFFIC_GOALS.harRssRiseMB
  const goals = {
    importRssRiseMB: judgeAtMost(har.import.rssRiseBytes / MB, limit),
    exportRssRiseMB: judgeAtMost(har.export.rssRiseBytes / MB, limit),
  }
  const row = (name, step) => [
    name,
    fixed(step.entriesPerSecond),
    fixed(step.megabytesPerSecond, 1),
    fixed(step.seconds, 2),
    fixed(step.peakRssBytes / MB),
    fixed(step.rssRiseBytes / MB),
  ]
  const header = ['step', 'entries/s', 'MB/s', 'seconds', 'peak RSS MB', 'RSS rise MB']
  const rows = [
    row('read + JSON.parse (baseline)', har.parse),
    row('importHar into the log', har.import),
    row('exportHar from the log', har.export),
  ]
  const text = [
    `\nHAR bench (${count(har.entries)} entries, ${fixed(har.fileBytes / MB)} MB generated in ` +
      `${fixed(har.generateS, 1)} s; faster of ${rounds(har.rounds)}; each step in its own process)`,
    formatTable(header, rows),
    `  import / whole-file parse: ${fixed(har.importVsParse, 2)} of the baseline's entries/s`,
    `  import RSS rise ${fixed(goals.importRssRiseMB.value)} MB, export ` +
      `${fixed(goals.exportRssRiseMB.value)} MB (goal <= ${limit} MB whatever the file's size: ` +
      `${mark(goals.importRssRiseMB.met && goals.exportRssRiseMB.met)})`,
  ].join('\n')
  return { goals, text }
}

export function reportWhatIf(whatIf) {
  if (!whatIf || whatIf.error)
    return { goals: undefined, text: failedLine('What-if bench', whatIf) }
  const goal = TRAFFIC_GOALS.whatIfRequestsPerSecond
  const rate = whatIf.whatIf.requestsPerSecond
  const goals = { requestsPerSecond: { value: rate, goal: `>= ${goal}`, met: rate >= goal } }
  // The rise (heap and buffers, over a collected heap) is each run's own; RSS is the process's.
  const row = (name, run) => [
    name,
    fixed(run.requestsPerSecond),
    fixed(run.seconds, 2),
    fixed(run.heldRiseBytes / MB),
  ]
  const { totals } = whatIf
  const text = [
    `\n"What if" bench (${count(whatIf.requests)} requests over ${count(whatIf.buckets)} budgets: ` +
      `${count(totals.preflights)} preflights, ${count(totals.limited)} predicted 429, ` +
      `${count(totals.corsBlocked)} CORS-blocked; median of ${rounds(whatIf.rounds)})`,
    formatTable(
      ['run', 'requests/s', 'seconds', 'memory rise MB'],
      [row('runWhatIf', whatIf.whatIf), row('limiter decisions only (baseline)', whatIf.baseline)],
    ),
    `  runWhatIf / baseline: ${fixed(whatIf.ratio, 3)} (what keys, CORS and the columns add)` +
      `; both refuse the same requests: ${whatIf.limitedAgrees ? 'yes' : 'NO'}`,
    `  peak RSS of the process running both: ${fixed(whatIf.whatIf.peakRssBytes / MB)} MB`,
    `  ${count(whatIf.requests)} requests in ${fixed(whatIf.whatIf.seconds, 1)} s` +
      `  (goal >= ${count(goal)} requests/s: ${mark(goals.requestsPerSecond.met)})`,
  ].join('\n')
  return { goals, text }
}

export function reportReplay(replay) {
  if (!replay || replay.error) return { goals: undefined, text: failedLine('Replay bench', replay) }
  const { paced, fastest } = replay
  const goal = TRAFFIC_GOALS.replayP99Ms
  const p99 = paced.lateness?.p99
  const goals = { p99LatenessMs: { value: p99, goal: `<= ${goal}`, met: p99 <= goal } }
  const latenessRow = (name, lateness) => [
    name,
    fixed(lateness?.p50, 2),
    fixed(lateness?.p99, 2),
    fixed(lateness?.max, 2),
  ]
  const text = [
    `\nReplay bench (Tollgate in the replaying process, the upstream in its own)`,
    `  at the recorded timing: ${count(paced.requests)} requests with gaps of 0-10 ms over ` +
      `${fixed(paced.recordedSeconds, 1)} s, replayed in ${fixed(paced.replaySeconds, 1)} s` +
      (paced.failed > 0 ? `, ${paced.failed} FAILED` : ''),
    formatTable(
      ['sent by', 'late p50 ms', 'p99 ms', 'max ms'],
      [
        latenessRow('replayTraffic', paced.lateness),
        latenessRow('a setTimeout each (baseline)', paced.timerLateness),
      ],
    ),
    `  replay p99 lateness ${fixed(p99, 2)} ms (goal <= ${goal} ms: ${mark(goals.p99LatenessMs.met)})`,
    `  as fast as possible: ${count(fastest.requests)} requests at concurrency ` +
      `${fastest.concurrency}, faster of ${rounds(fastest.rounds)}`,
    formatTable(
      ['sent by', 'requests/s'],
      [
        ['replayTraffic', fixed(fastest.requestsPerSecond)],
        ['32 request loops (baseline)', fixed(fastest.clientRequestsPerSecond)],
      ],
    ),
    `  replay / baseline: ${fixed(fastest.ratio, 2)} (what reading the log and building requests add)`,
  ].join('\n')
  return { goals, text }
}

function judgeAtMost(value, limit) {
  return { value, goal: `<= ${limit}`, met: value <= limit }
}
