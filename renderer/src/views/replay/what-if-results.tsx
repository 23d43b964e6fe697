import type { WhatIfDifferenceView, WhatIfKeySummary, WhatIfResult } from '../../../../shared/api'
import { CORS_RULE_LABELS } from '../../lib/cors-labels'
import { formatWindow } from '../../lib/format'
import { ExchangeLink } from '../detail/overview-sections'
import { BucketName } from './replay-summary'
import type { PolicySummary, WhatIfOutcome } from './what-if-panel'

/** Differences listed per side; the rest are counted. */
const LISTED = 200

/** Predicted 429s per key under each policy, and the requests whose outcome differs. */
export function WhatIfResults({ outcome }: { outcome: WhatIfOutcome }) {
  const { current, edited } = outcome
  const buckets = [...new Set([...current.keys, ...(edited?.keys ?? [])].map((key) => key.bucket))]
  const byBucket = (result: WhatIfResult | undefined) =>
    new Map(result?.keys.map((key) => [key.bucket, key]))
  const currentKeys = byBucket(current)
  const editedKeys = byBucket(edited)

  return (
    <div className="what-if-results" role="region" aria-label="What if results">
      <p className="summary-line">
        <strong>{outcome.label}</strong>: {current.totals.requests} requests
        {current.totals.preflights > 0 && `, ${current.totals.preflights} preflights`}
      </p>
      <table className="data-table" aria-label="Predicted 429s per key">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col" className="numeric">
              Requests
            </th>
            <th scope="col" className="numeric">
              Current policy: 429s
              <div className="column-note">{outcome.currentPolicy.text}</div>
            </th>
            {edited && (
              <th scope="col" className="numeric">
                Edited policy: 429s
                <div className="column-note">{outcome.editedPolicy?.text}</div>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {buckets.map((bucket) => {
            const now = currentKeys.get(bucket)
            const then = editedKeys.get(bucket)
            const shown = (now ?? then)!
            return (
              <tr key={bucket}>
                <th scope="row">
                  <BucketName bucket={bucket} masked={shown.keyMasked} />
                </th>
                <td className="numeric">{shown.requests}</td>
                <LimitedCell summary={now} policy={outcome.currentPolicy} />
                {edited && (
                  <LimitedCell summary={then} compared={now} policy={outcome.editedPolicy} />
                )}
              </tr>
            )
          })}
        </tbody>
        <tfoot>
          <tr className="total">
            <th scope="row">CORS blocked</th>
            <td />
            <td className="numeric">{current.totals.corsBlocked}</td>
            {edited && <td className="numeric">{edited.totals.corsBlocked}</td>}
          </tr>
        </tfoot>
      </table>

      <div className={`side-by-side ${edited ? '' : 'single'}`}>
        <Differences
          title="Current policy vs the recording"
          result={current}
          empty="Every request would be answered as it was recorded."
        />
        {edited && (
          <Differences
            title="Edited policy vs the current one"
            result={edited}
            empty="The edit changes no request's outcome."
          />
        )}
      </div>
    </div>
  )
}

interface LimitedCellProps {
  summary?: WhatIfKeySummary
  /** The same key under the current policy, to show the difference an edit makes. */
  compared?: WhatIfKeySummary
  policy?: PolicySummary
}

function LimitedCell({ summary, compared, policy }: LimitedCellProps) {
  if (summary === undefined) return <td className="numeric muted">—</td>
  const delta = compared === undefined ? 0 : summary.limited - compared.limited
  // A key with an override of its own says so; the others follow the column's policy.
  const ownLimit = summary.limit !== policy?.limit || summary.windowMs !== policy?.windowMs
  return (
    <td className="numeric">
      <span className={summary.limited > 0 ? 'text-danger' : ''}>{summary.limited}</span>
      {delta !== 0 && (
        <span className="muted">
          {' '}
          ({delta > 0 ? '+' : ''}
          {delta})
        </span>
      )}
      {ownLimit && (
        <div className="column-note">
          own limit: {summary.limit} per {formatWindow(summary.windowMs)}
        </div>
      )}
    </td>
  )
}

function Differences({
  title,
  result,
  empty,
}: {
  title: string
  result: WhatIfResult
  empty: string
}) {
  const listed = result.differences.slice(0, LISTED)
  return (
    <section className="differences" aria-label={title}>
      <h3 className="table-heading">
        {title}: <span className="difference-count">{result.differenceCount}</span> differ
      </h3>
      {result.differenceCount === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="difference-list">
          {listed.map((difference, index) => (
            <DifferenceRow key={difference.id ?? `row-${index}`} difference={difference} />
          ))}
          {result.differenceCount > listed.length && (
            <li className="muted">…and {result.differenceCount - listed.length} more</li>
          )}
        </ul>
      )}
    </section>
  )
}

function DifferenceRow({ difference }: { difference: WhatIfDifferenceView }) {
  const { before, after } = difference
  const statusChanged = before.status !== after.status
  const corsChanged = (before.cors ?? 'not-cors') !== after.cors

  return (
    <li className="difference">
      {difference.id !== undefined ? (
        <ExchangeLink id={difference.id}>#{difference.id}</ExchangeLink>
      ) : (
        <span className="muted">edited</span>
      )}
      <code className="ellipsis" title={`${difference.method} ${difference.url}`}>
        {difference.method} {difference.url}
      </code>
      {statusChanged && (
        <span className="outcome-change">
          {before.status ?? '—'} →{' '}
          <span className={after.status === 429 ? 'text-danger' : ''}>{after.status ?? '—'}</span>
        </span>
      )}
      {corsChanged && (
        <span className="outcome-change">
          {before.cors ?? 'not-cors'} →{' '}
          <span className={after.cors === 'blocked' ? 'text-danger' : ''}>{after.cors}</span>
          {after.corsRule && <span className="muted"> ({CORS_RULE_LABELS[after.corsRule]})</span>}
        </span>
      )}
    </li>
  )
}
