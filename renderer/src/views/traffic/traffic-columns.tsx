import type { CorsVerdict, ExchangeSummary } from '../../../../shared/exchange'
import type { Column } from '../../components/virtual-table'
import { CORS_RULE_LABELS } from '../../lib/cors-labels'
import { formatBytes, formatDuration, formatTime } from '../../lib/format'

/** The status as a short word, coloured only when something went wrong. */
export function StatusCell({ exchange }: { exchange: ExchangeSummary }) {
  if (exchange.status === 429) {
    return (
      <span className="badge danger" title="429: refused by Tollgate's rate limit">
        429
      </span>
    )
  }
  if (exchange.status === undefined) {
    const text = exchange.errorCode ? exchange.errorCode.toLowerCase().replaceAll('_', ' ') : '…'
    return (
      <span className="text-danger" title={exchange.errorMessage}>
        {text}
      </span>
    )
  }
  return <span className={exchange.status >= 400 ? 'text-danger' : ''}>{exchange.status}</span>
}

/** What the browser does with the response: allowed, blocked and why, or not a CORS request. */
export function VerdictChip({ verdict, origin }: { verdict?: CorsVerdict; origin?: string }) {
  if (!verdict && origin !== undefined) {
    return (
      <span
        className="muted"
        title="No CORS verdict recorded: imported, refused before the CORS check, or a WebSocket"
      >
        not judged
      </span>
    )
  }
  if (!verdict || verdict.outcome === 'not-cors') {
    return (
      <span className="muted" title="No Origin header: not a cross-origin request">
        —
      </span>
    )
  }
  const warnings = verdict.warnings.length
  if (verdict.outcome === 'allowed') {
    return (
      <span className="verdict">
        <span className="chip success">allowed</span>
        {warnings > 0 && (
          <span className="chip warning" title={verdict.warnings.map((w) => w.detail).join('\n')}>
            {warnings} warning{warnings > 1 ? 's' : ''}
          </span>
        )}
      </span>
    )
  }
  const rule = verdict.blocking ? CORS_RULE_LABELS[verdict.blocking.rule] : 'blocked'
  return (
    <span className="verdict" title={verdict.blocking?.detail}>
      <span className="chip danger">blocked</span>
      <span className="text-danger">{rule}</span>
    </span>
  )
}

/** The path with a tag for exchanges that are not plain HTTP requests. */
export function PathCell({ exchange }: { exchange: ExchangeSummary }) {
  return (
    <span className="path" title={exchange.url}>
      {exchange.kind === 'preflight' && <span className="tag">preflight</span>}
      {exchange.kind === 'websocket' && <span className="tag">websocket</span>}
      {exchange.url}
    </span>
  )
}

/** The columns kept when the detail panel takes half the width, as devtools does. */
export const COMPACT_COLUMNS = new Set(['id', 'method', 'path', 'status', 'cors'])

export const trafficColumns: Column<ExchangeSummary>[] = [
  { id: 'id', title: '#', width: '48px', numeric: true, render: (row) => row.id },
  { id: 'time', title: 'Time', width: '92px', render: (row) => formatTime(row.startedAt) },
  { id: 'method', title: 'Method', width: '66px', render: (row) => row.method },
  {
    id: 'path',
    title: 'Path',
    width: 'minmax(180px, 3fr)',
    render: (row) => <PathCell exchange={row} />,
  },
  {
    id: 'key',
    title: 'Key',
    width: 'minmax(96px, 1fr)',
    render: (row) =>
      row.keyMasked ? (
        <code>{row.keyMasked}</code>
      ) : (
        <span className="muted">{row.kind === 'preflight' ? '' : 'anonymous'}</span>
      ),
  },
  {
    id: 'origin',
    title: 'Origin',
    width: 'minmax(110px, 1.3fr)',
    render: (row) => row.origin ?? <span className="muted">—</span>,
  },
  { id: 'status', title: 'Status', width: '90px', render: (row) => <StatusCell exchange={row} /> },
  {
    id: 'duration',
    title: 'Duration',
    width: '72px',
    numeric: true,
    render: (row) => formatDuration(row.endedAt && row.endedAt - row.startedAt),
  },
  {
    id: 'size',
    title: 'Size',
    width: '64px',
    numeric: true,
    render: (row) => formatBytes(row.responseBodySize),
  },
  {
    id: 'cors',
    title: 'CORS verdict',
    width: 'minmax(150px, 1.6fr)',
    render: (row) => <VerdictChip verdict={row.cors} origin={row.origin} />,
  },
]
