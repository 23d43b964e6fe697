/**
 * A replay as text for a terminal: the progress line shown while it runs and the summary table
 * printed at the end, per key, with how statuses changed against the recording.
 */

import type { ReplayProgress, StatusChange } from '../../../shared/api'
import type { ReplayResult } from './replay'

const BAR_WIDTH = 20

/** One line of progress, e.g. `replay [#######-------------] 35% 24/70 sent, 2 × 429, 0 failed`. */
export function formatProgress(progress: ReplayProgress): string {
  const share = progress.total === 0 ? 1 : progress.completed / progress.total
  const filled = Math.round(share * BAR_WIDTH)
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled)
  const percent = String(Math.floor(share * 100)).padStart(3)
  return `replay [${bar}] ${percent}% ${progress.completed}/${progress.total} done, ${progress.limited} × 429, ${progress.failed} failed`
}

/** The summary table and the status changes, ending with a newline. */
export function formatReplaySummary(result: ReplayResult, gatewayUrl: string): string {
  const { totals } = result
  const seconds = (result.durationMs / 1000).toFixed(1)
  const lines = [
    `Replayed ${totals.requests} requests through ${gatewayUrl} in ${seconds} s${result.cancelled ? ' (cancelled)' : ''}.`,
  ]
  if (result.lateness !== undefined) {
    const { p50, p99 } = result.lateness
    lines.push(
      `Requests went out later than scheduled by ${p50.toFixed(1)} ms (p50), ${p99.toFixed(1)} ms (p99).`,
    )
  }
  if (result.skipped.length > 0) {
    lines.push(
      `${result.skipped.length} selected exchanges were not sent (WebSocket handshakes or deleted rows).`,
    )
  }

  const header = ['key', 'requests', '2xx', '429', 'other', 'failed', 'changed']
  const row = (name: string, counts: ReplayResult['totals']) => [
    name,
    ...[
      counts.requests,
      counts.succeeded,
      counts.limited,
      counts.other,
      counts.failed,
      counts.changed,
    ].map(String),
  ]
  const rows = result.keys.map((key) => row(key.keyMasked ?? key.bucket, { ...key, skipped: 0 }))
  rows.push(row('total', totals))
  lines.push('', ...formatTable([header, ...rows]))

  const changed = result.keys.filter((key) => key.changes.length > 0)
  if (changed.length > 0) {
    lines.push('', 'Status changes against the recording:')
    for (const key of changed) {
      lines.push(`  ${key.keyMasked ?? key.bucket}: ${key.changes.map(describeChange).join(', ')}`)
    }
  }
  return lines.join('\n') + '\n'
}

/** Up to `limit` failure messages, one a line, with a count of the rest. */
export function formatFailures(result: ReplayResult, limit = 5): string {
  const failed = result.requests.filter(
    (request) => request.failure !== undefined && request.failure.reason !== 'cancelled',
  )
  if (failed.length === 0) return ''
  const lines = failed
    .slice(0, limit)
    .map(
      (request) =>
        `  #${request.originalId} ${request.method} ${request.target}: ${request.failure!.message}`,
    )
  if (failed.length > limit) lines.push(`  … and ${failed.length - limit} more`)
  return `${failed.length} requests failed:\n${lines.join('\n')}\n`
}

function describeChange(change: StatusChange): string {
  return `${change.from} -> ${change.to} ×${change.count}`
}

/** Left-aligns the first column and right-aligns the others, two spaces apart. */
function formatTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd(),
  )
}
