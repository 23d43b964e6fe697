import { useEffect, useState } from 'react'
import type { ExchangeDetail } from '../../../../shared/api'
import type { HeaderList } from '../../../../shared/exchange'
import { appStore, onControlEvent, selectExchange } from '../../api/app-store'
import { call } from '../../api/client'
import { useStore } from '../../api/external-store'
import { CopyButton } from '../../components/copy-button'
import { headerValue } from '../../lib/headers'
import { editForReplay } from '../replay/replay-store'
import { StatusCell } from '../traffic/traffic-columns'
import { BodyView } from './body-view'
import { buildCurl } from './curl'
import { ExchangeLink, RateLimitSection, TimingSection, VerdictSection } from './overview-sections'

type DetailTab = 'overview' | 'request' | 'response'

const TABS: { id: DetailTab; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'request', label: 'Request' },
  { id: 'response', label: 'Response' },
]

/** The side panel for the selected exchange; renders nothing when none is selected. */
export function ExchangeDetailPanel() {
  const selectedId = useStore(appStore, (state) => state.selectedId)
  const [tab, setTab] = useState<DetailTab>('overview')
  const [reveal, setReveal] = useState(false)

  useEffect(() => {
    if (selectedId === undefined) return
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && selectExchange(undefined)
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [selectedId])

  if (selectedId === undefined) return null
  return (
    <aside className="detail" aria-label={`Exchange #${selectedId}`}>
      <DetailContent
        id={selectedId}
        tab={tab}
        onTab={setTab}
        reveal={reveal}
        onReveal={setReveal}
      />
    </aside>
  )
}

interface DetailContentProps {
  id: number
  tab: DetailTab
  onTab(tab: DetailTab): void
  reveal: boolean
  onReveal(reveal: boolean): void
}

function DetailContent({ id, tab, onTab, reveal, onReveal }: DetailContentProps) {
  const proxyUrl = useStore(appStore, (state) => state.status?.proxyUrl ?? location.origin)
  const [detail, setDetail] = useState<ExchangeDetail>()
  const [error, setError] = useState<string>()
  const [version, setVersion] = useState(0)

  // A preflight learns its paired request later; reload when the core says this row changed.
  useEffect(
    () =>
      onControlEvent((event) => {
        if (event.type === 'traffic.recorded' && event.exchanges.some((e) => e.id === id)) {
          setVersion((value) => value + 1)
        }
      }),
    [id],
  )

  useEffect(() => {
    let current = true
    call('traffic.get', { id, reveal }).then(
      (result) => current && (setDetail(result), setError(undefined)),
      (failure: Error) => current && (setDetail(undefined), setError(failure.message)),
    )
    return () => {
      current = false
    }
  }, [id, reveal, version])

  const shown = detail?.id === id ? detail : undefined
  // A command with a masked key would not reproduce the request, so curl always gets the real one.
  const curl = async () => buildCurl(await call('traffic.get', { id, reveal: true }), proxyUrl)

  return (
    <>
      <div className="detail-head">
        <div className="detail-title">
          <span className="muted">#{id}</span>
          {shown && (
            <>
              <strong>{shown.method}</strong>
              <code className="ellipsis" title={shown.url}>
                {shown.url}
              </code>
              <StatusCell exchange={shown} />
            </>
          )}
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Close details"
          title="Close (Esc)"
          onClick={() => selectExchange(undefined)}
        >
          ×
        </button>
      </div>

      <div className="detail-bar">
        <div role="tablist" aria-label="Exchange details" className="subtabs">
          {TABS.map((item) => (
            <button
              key={item.id}
              type="button"
              role="tab"
              id={`detail-tab-${item.id}`}
              aria-selected={tab === item.id}
              aria-controls="detail-panel"
              className="subtab"
              onClick={() => onTab(item.id)}
            >
              {item.label}
            </button>
          ))}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={reveal} onChange={(e) => onReveal(e.target.checked)} />
          Show API keys
        </label>
        <CopyButton text={curl} label="Copy as curl" />
        {shown && shown.kind !== 'websocket' && (
          <button type="button" className="button small" onClick={() => editForReplay(id)}>
            Edit and replay
          </button>
        )}
      </div>

      <div
        className="detail-body"
        role="tabpanel"
        id="detail-panel"
        aria-labelledby={`detail-tab-${tab}`}
      >
        {error && <div className="banner error">{error}</div>}
        {!shown && !error && <p className="muted">Loading…</p>}
        {shown && tab === 'overview' && <Overview exchange={shown} proxyUrl={proxyUrl} />}
        {shown && tab === 'request' && (
          <>
            <HeadersSection title="Request headers" headers={shown.requestHeaders} />
            <section className="section">
              <h3>Request body</h3>
              <BodyView
                base64={shown.requestBodyBase64}
                headers={shown.requestHeaders}
                size={shown.requestBodySize}
                truncated={shown.requestBodyTruncated}
              />
            </section>
          </>
        )}
        {shown && tab === 'response' && (
          <>
            <HeadersSection title="Response headers" headers={shown.responseHeaders ?? []} />
            <section className="section">
              <h3>Response body</h3>
              <BodyView
                base64={shown.responseBodyBase64}
                headers={shown.responseHeaders ?? []}
                size={shown.responseBodySize}
                truncated={shown.responseBodyTruncated}
              />
            </section>
          </>
        )}
      </div>
    </>
  )
}

function Overview({ exchange, proxyUrl }: { exchange: ExchangeDetail; proxyUrl: string }) {
  return (
    <>
      <section className="section" aria-labelledby="general-heading">
        <h3 id="general-heading">General</h3>
        <dl className="facts">
          <dt>URL</dt>
          <dd>
            <code>{new URL(exchange.url, proxyUrl).href}</code>
          </dd>
          <dt>Type</dt>
          <dd>
            {exchange.kind} · HTTP/{exchange.httpVersion}
          </dd>
          <dt>API key</dt>
          <dd>{exchange.keyMasked ? <code>{exchange.keyMasked}</code> : 'none'}</dd>
          <dt>Origin</dt>
          <dd>{exchange.origin ?? 'none'}</dd>
          {exchange.kind === 'preflight' && (
            <>
              <dt>Asks for</dt>
              <dd>
                <code>
                  {headerValue(exchange.requestHeaders, 'access-control-request-method') ?? '?'}
                </code>
                {' with headers '}
                <code>
                  {headerValue(exchange.requestHeaders, 'access-control-request-headers') ?? 'none'}
                </code>
              </dd>
            </>
          )}
          <dt>Client</dt>
          <dd>{exchange.clientAddress}</dd>
          {exchange.replayOf !== undefined && (
            <>
              <dt>Replay of</dt>
              <dd>
                <ExchangeLink id={exchange.replayOf}>exchange #{exchange.replayOf}</ExchangeLink>
              </dd>
            </>
          )}
          {exchange.errorCode && (
            <>
              <dt>Error</dt>
              <dd className="text-danger">
                <code>{exchange.errorCode}</code> {exchange.errorMessage}
              </dd>
            </>
          )}
        </dl>
      </section>
      <VerdictSection exchange={exchange} />
      <RateLimitSection exchange={exchange} />
      <TimingSection exchange={exchange} />
    </>
  )
}

/** Header lines exactly as they crossed the wire: spelling, order and repeats kept. */
function HeadersSection({ title, headers }: { title: string; headers: HeaderList }) {
  return (
    <section className="section">
      <h3>
        {title} <span className="muted">({headers.length} lines)</span>
      </h3>
      {headers.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="headers">
          <tbody>
            {headers.map(([name, value], index) => (
              <tr key={index}>
                <th scope="row">{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
