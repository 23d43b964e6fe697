import type {
  KeyReplaySummary,
  ReplayedRequest,
  ReplayRunSummary,
  StatusChange,
} from '../../../../shared/api'
import { formatDuration } from '../../lib/format'
import { ExchangeLink } from '../detail/overview-sections'

interface ReplaySummaryProps {
  summary: ReplayRunSummary
  /** The log row of each replayed request, by the exchange it replays, as far as known. */
  replayRows: ReadonlyMap<number, number>
}

/** A finished replay: counts per key, the status changes, and the requests that changed. */
export function ReplaySummaryView({ summary, replayRows }: ReplaySummaryProps) {
  const { totals, lateness } = summary

  return (
    <div className="replay-summary" aria-label="Replay summary" role="region">
      <p className="summary-line">
        <strong className={summary.cancelled ? 'attention-text' : ''}>
          {summary.error ? 'Stopped' : summary.cancelled ? 'Cancelled' : 'Finished'}
        </strong>{' '}
        after {formatDuration(summary.durationMs)}: {totals.requests} replayed
        {totals.skipped > 0 && `, ${totals.skipped} skipped (WebSocket handshakes, deleted rows)`}
        {lateness && (
          <span className="muted">
            {' '}
            · left late by {formatDuration(lateness.p50)} median, {formatDuration(lateness.p99)} p99
          </span>
        )}
      </p>
      {summary.error && (
        <div className="problems error" role="alert">
          <code>{summary.error.code}</code> {summary.error.message}
        </div>
      )}

      <table className="data-table" aria-label="Replay per key">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col" className="numeric">
              Requests
            </th>
            <th scope="col" className="numeric">
              2xx
            </th>
            <th scope="col" className="numeric">
              429
            </th>
            <th scope="col" className="numeric">
              Other
            </th>
            <th scope="col" className="numeric">
              Failed
            </th>
            <th scope="col">Status changes vs the recording</th>
          </tr>
        </thead>
        <tbody>
          {summary.keys.map((key) => (
            <KeyRow key={key.bucket} summary={key} />
          ))}
        </tbody>
        {summary.keys.length > 1 && (
          <tfoot>
            <KeyRow summary={{ ...totals, bucket: 'All keys' }} total />
          </tfoot>
        )}
      </table>

      {summary.changedRequests.length > 0 && (
        <ChangedRequests requests={summary.changedRequests} replayRows={replayRows} />
      )}
    </div>
  )
}

function KeyRow({ summary, total }: { summary: KeyReplaySummary; total?: boolean }) {
  return (
    <tr className={total ? 'total' : ''}>
      <th scope="row">
        {total ? 'All keys' : <BucketName bucket={summary.bucket} masked={summary.keyMasked} />}
      </th>
      <td className="numeric">{summary.requests}</td>
      <td className="numeric">{summary.succeeded}</td>
      <td className={`numeric ${summary.limited > 0 ? 'text-danger' : ''}`}>{summary.limited}</td>
      <td className="numeric">{summary.other}</td>
      <td className={`numeric ${summary.failed > 0 ? 'text-danger' : ''}`}>{summary.failed}</td>
      <td>
        {summary.changes.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <span className="changes">
            {summary.changes.map((change) => (
              <ChangeChip key={`${change.from}-${change.to}`} change={change} />
            ))}
          </span>
        )}
      </td>
    </tr>
  )
}

/** `200 → 429 ×10`; red when the change is the limit or a failure biting. */
export function ChangeChip({ change }: { change: StatusChange }) {
  const worse = change.to === 429 || change.to === 'failed'
  const from = change.from === 'none' ? 'no status' : change.from
  return (
    <span className={`chip ${worse ? 'danger' : 'neutral'}`}>
      {from} → {change.to} ×{change.count}
    </span>
  )
}

/** A budget's name: the masked key, or `anonymous` with the address keyless requests share. */
export function BucketName({ bucket, masked }: { bucket: string; masked?: string }) {
  if (masked) return <code>{masked}</code>
  if (bucket.startsWith('anonymous ')) {
    return (
      <span>
        anonymous <span className="muted">{bucket.slice('anonymous '.length)}</span>
      </span>
    )
  }
  return <code>{bucket}</code>
}

function ChangedRequests({
  requests,
  replayRows,
}: {
  requests: ReplayedRequest[]
  replayRows: ReadonlyMap<number, number>
}) {
  return (
    <>
      <h3 className="table-heading">
        Requests whose status changed{' '}
        <span className="muted">
          ({requests.length}
          {requests.length >= 500 ? ', the first 500' : ''})
        </span>
      </h3>
      <div className="table-scroll">
        <table className="data-table" aria-label="Changed requests">
          <thead>
            <tr>
              <th scope="col">Recorded</th>
              <th scope="col">Replayed</th>
              <th scope="col">Request</th>
              <th scope="col">Key</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((request) => {
              const replayId = replayRows.get(request.originalId)
              return (
                <tr key={request.index}>
                  <td>
                    <ExchangeLink id={request.originalId}>#{request.originalId}</ExchangeLink>
                  </td>
                  <td>
                    {replayId === undefined ? (
                      <span className="muted">
                        {request.failure?.reason === 'unsendable' ? 'not sent' : '…'}
                      </span>
                    ) : (
                      <ExchangeLink id={replayId}>#{replayId}</ExchangeLink>
                    )}
                  </td>
                  <td className="request-cell">
                    <code className="ellipsis" title={`${request.method} ${request.target}`}>
                      {request.method} {request.target}
                    </code>
                  </td>
                  <td>
                    <BucketName bucket={request.bucket} masked={request.keyMasked} />
                  </td>
                  <td className="status-change">
                    {request.originalStatus ?? 'none'} →{' '}
                    <span
                      className={request.status === 429 || !request.status ? 'text-danger' : ''}
                    >
                      {request.status ?? request.failure?.reason ?? 'none'}
                    </span>
                    {request.failure && (
                      <span className="muted" title={request.failure.message}>
                        {' '}
                        ({request.failure.message})
                      </span>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </>
  )
}
