import { useCallback, useMemo } from 'react'
import type { TrafficFilter } from '../../../../shared/api'
import type { ExchangeSummary } from '../../../../shared/exchange'
import { appStore, selectExchange } from '../../api/app-store'
import { useStore } from '../../api/external-store'
import { useTrafficFeed } from '../../api/use-traffic-feed'
import { GettingStarted } from '../../components/getting-started'
import { VirtualTable, type Column } from '../../components/virtual-table'
import { CORS_RULE_LABELS } from '../../lib/cors-labels'
import { headerValue } from '../../lib/headers'
import { formatTime } from '../../lib/format'
import { ExchangeLink } from '../detail/overview-sections'

const PREFLIGHTS: TrafficFilter = { kind: 'preflight' }

function AskedFor({ exchange }: { exchange: ExchangeSummary }) {
  const method = headerValue(exchange.requestHeaders, 'access-control-request-method')
  const headers = headerValue(exchange.requestHeaders, 'access-control-request-headers')
  return (
    <span title={headers ? `${method} with ${headers}` : method}>
      <strong>{method ?? '?'}</strong>
      {headers && <span className="muted"> + {headers}</span>}
    </span>
  )
}

function Result({ exchange }: { exchange: ExchangeSummary }) {
  // An imported preflight was answered by another server: Tollgate never judged it.
  if (!exchange.cors) {
    return (
      <span className="verdict">
        <span className="chip">not judged</span>
        <span className="muted">{exchange.status}</span>
      </span>
    )
  }
  const passed = exchange.cors.outcome === 'allowed'
  return (
    <span className="verdict">
      <span className={`chip ${passed ? 'success' : 'danger'}`}>
        {passed ? 'passed' : 'refused'}
      </span>
      <span className="muted">{exchange.status}</span>
    </span>
  )
}

function Reason({ exchange }: { exchange: ExchangeSummary }) {
  if (!exchange.cors) return <span className="muted">imported: answered by another server</span>
  const blocking = exchange.cors.blocking
  if (!blocking) return <span className="muted">origin, method and headers allowed</span>
  // On a preflight, "preflight refused" says nothing new: the detail is the reason.
  const label = blocking.rule === 'preflight-failed' ? undefined : CORS_RULE_LABELS[blocking.rule]
  return (
    <span title={`${blocking.detail}\nFix: ${blocking.fix}`}>
      {label && <span className="text-danger">{label} · </span>}
      <span>{blocking.detail}</span>
    </span>
  )
}

function FollowedBy({ exchange }: { exchange: ExchangeSummary }) {
  if (exchange.pairedId !== undefined) {
    return <ExchangeLink id={exchange.pairedId}>request #{exchange.pairedId}</ExchangeLink>
  }
  if (!exchange.cors) return <span className="muted">none recorded</span>
  const refused = exchange.cors.outcome !== 'allowed'
  return <span className="muted">{refused ? 'none: the browser stops here' : 'none yet'}</span>
}

const columns: Column<ExchangeSummary>[] = [
  { id: 'id', title: '#', width: '48px', numeric: true, render: (row) => row.id },
  { id: 'time', title: 'Time', width: '92px', render: (row) => formatTime(row.startedAt) },
  { id: 'origin', title: 'Origin', width: 'minmax(140px, 1.2fr)', render: (row) => row.origin },
  { id: 'path', title: 'Path', width: 'minmax(120px, 1fr)', render: (row) => row.url },
  {
    id: 'asks',
    title: 'Asks for',
    width: 'minmax(140px, 1.2fr)',
    render: (row) => <AskedFor exchange={row} />,
  },
  { id: 'result', title: 'Result', width: '104px', render: (row) => <Result exchange={row} /> },
  {
    id: 'reason',
    title: 'Reason',
    width: 'minmax(200px, 2.5fr)',
    render: (row) => <Reason exchange={row} />,
  },
  {
    id: 'followed',
    title: 'Followed by',
    width: 'minmax(120px, 0.9fr)',
    render: (row) => <FollowedBy exchange={row} />,
  },
]

/** Each preflight Tollgate answered, why it passed or failed, and the request that followed. */
export function PreflightsView() {
  const feed = useTrafficFeed(PREFLIGHTS)
  const selectedId = useStore(appStore, (state) => state.selectedId)
  const select = useCallback((row: ExchangeSummary) => selectExchange(row.id), [])
  const loadOlder = useCallback(() => void feed.feed.loadOlder(), [feed.feed])
  const refused = useMemo(
    () => feed.items.filter((item) => item.cors && item.cors.outcome !== 'allowed').length,
    [feed.items],
  )

  if (feed.items.length === 0 && !feed.loading) {
    return (
      <div className="view">
        <GettingStarted title="No preflights yet" example="preflight">
          <p>
            Before a cross-origin request that is not simple (a PUT, a JSON body, an Authorization
            header), the browser asks with an OPTIONS preflight. Tollgate answers it itself and
            shows here whether it passed, why, and which request followed.
          </p>
        </GettingStarted>
      </div>
    )
  }

  return (
    <div className="view traffic-view">
      <div className="toolbar">
        <span className="count">
          {feed.items.length} preflights
          {refused > 0 && <span className="text-danger"> · {refused} refused</span>}
        </span>
      </div>
      {feed.error && (
        <div className="banner error" role="alert">
          {feed.error}
        </div>
      )}
      <VirtualTable
        label="Preflights"
        rows={feed.items}
        columns={columns}
        rowKey={(row) => row.id}
        selectedKey={selectedId}
        onSelect={select}
        onEndReached={feed.nextCursor !== undefined ? loadOlder : undefined}
      />
    </div>
  )
}
