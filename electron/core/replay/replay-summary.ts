/**
 * What a replay found, per budget: how many requests went, how they were answered, and which
 * statuses changed against the recording (above all 200 -> 429, the limit biting).
 */

import type {
  KeyReplaySummary,
  ReplayedRequest,
  ReplayTotals,
  StatusChange,
} from '../../../shared/api'

export type { KeyReplaySummary, ReplayedRequest, ReplayTotals, StatusChange }

/** Groups replayed requests by budget, in the order budgets were first used. */
export function summarizeByKey(requests: readonly ReplayedRequest[]): KeyReplaySummary[] {
  const byBucket = new Map<
    string,
    { summary: KeyReplaySummary; changes: Map<string, StatusChange> }
  >()
  for (const request of requests) {
    let entry = byBucket.get(request.bucket)
    if (entry === undefined) {
      const summary: KeyReplaySummary = {
        bucket: request.bucket,
        requests: 0,
        succeeded: 0,
        limited: 0,
        other: 0,
        failed: 0,
        changed: 0,
        changes: [],
      }
      if (request.keyMasked !== undefined) summary.keyMasked = request.keyMasked
      entry = { summary, changes: new Map() }
      byBucket.set(request.bucket, entry)
    }
    countRequest(entry.summary, entry.changes, request)
  }

  return [...byBucket.values()].map(({ summary, changes }) => ({
    ...summary,
    changes: sortChanges(changes),
  }))
}

/** Every budget's counts added up, with the status changes across all of them. */
export function totalOf(
  keys: readonly KeyReplaySummary[],
): ReplayTotals & { changes: StatusChange[] } {
  const totals = { requests: 0, succeeded: 0, limited: 0, other: 0, failed: 0, changed: 0 }
  const changes = new Map<string, StatusChange>()
  for (const key of keys) {
    for (const field of Object.keys(totals) as (keyof ReplayTotals)[]) totals[field] += key[field]
    for (const change of key.changes) addChange(changes, change.from, change.to, change.count)
  }
  return { ...totals, changes: sortChanges(changes) }
}

/** True when a request's status differs from the recording's (a failure always differs). */
export function hasChanged(request: ReplayedRequest): boolean {
  if (request.failure?.reason === 'cancelled') return false
  return request.status === undefined || request.status !== request.originalStatus
}

function countRequest(
  summary: KeyReplaySummary,
  changes: Map<string, StatusChange>,
  request: ReplayedRequest,
): void {
  // A cancelled request tells nothing about the gateway, so it counts nowhere.
  if (request.failure?.reason === 'cancelled') return
  summary.requests++
  const status = request.status
  if (request.failure !== undefined) summary.failed++
  else if (status !== undefined && status >= 200 && status < 300) summary.succeeded++
  else if (status === 429) summary.limited++
  else if (status !== undefined) summary.other++

  if (!hasChanged(request)) return
  summary.changed++
  addChange(changes, request.originalStatus ?? 'none', status ?? 'failed', 1)
}

function addChange(
  changes: Map<string, StatusChange>,
  from: StatusChange['from'],
  to: StatusChange['to'],
  count: number,
): void {
  const name = `${from} ${to}`
  const change = changes.get(name)
  if (change === undefined) changes.set(name, { from, to, count })
  else change.count += count
}

function sortChanges(changes: Map<string, StatusChange>): StatusChange[] {
  return [...changes.values()].sort((a, b) => b.count - a.count)
}
