import { useCallback, useMemo, useState } from 'react'
import type { ExchangeSummary } from '../../../../shared/exchange'
import { appStore, selectExchange, setTrafficFilter } from '../../api/app-store'
import { call } from '../../api/client'
import { useStore } from '../../api/external-store'
import { useTrafficFeed } from '../../api/use-traffic-feed'
import { GettingStarted } from '../../components/getting-started'
import { VirtualTable } from '../../components/virtual-table'
import { COMPACT_COLUMNS, trafficColumns } from './traffic-columns'
import { isFiltered, TrafficFilters } from './traffic-filters'

/** Every exchange, live, newest first, with filters, pause and clear. */
export function TrafficView() {
  // Kept in the shared state: the Replay view replays and exports what this filter selects.
  const filter = useStore(appStore, (state) => state.trafficFilter)
  const setFilter = setTrafficFilter
  const feed = useTrafficFeed(filter)
  const selectedId = useStore(appStore, (state) => state.selectedId)
  const [clearError, setClearError] = useState<string>()

  const loadOlder = useCallback(() => void feed.feed.loadOlder(), [feed.feed])
  const select = useCallback((row: ExchangeSummary) => selectExchange(row.id), [])

  const clear = async () => {
    try {
      await call('traffic.clear', {})
      feed.feed.clear()
      setClearError(undefined)
    } catch (error) {
      setClearError((error as Error).message)
    }
  }

  const compact = selectedId !== undefined
  // The same array on every render, or every row in view would draw its cells again.
  const columns = useMemo(
    () => (compact ? trafficColumns.filter((c) => COMPACT_COLUMNS.has(c.id)) : trafficColumns),
    [compact],
  )
  const filtered = isFiltered(filter)
  const showEmpty = feed.items.length === 0 && !feed.loading

  return (
    <div className="view traffic-view">
      <div className="toolbar">
        <TrafficFilters filter={filter} onChange={setFilter} items={feed.items} />
        <div className="toolbar-actions">
          <span className="count" aria-live="polite">
            {feed.items.length}
            {feed.nextCursor !== undefined ? '+' : ''} shown
          </span>
          <button
            type="button"
            className={`button ${feed.paused ? 'attention' : ''}`}
            aria-pressed={feed.paused}
            onClick={() => feed.feed.setPaused(!feed.paused)}
          >
            {feed.paused ? `Resume${feed.held > 0 ? ` (${feed.held} new)` : ''}` : 'Pause'}
          </button>
          <button type="button" className="button" onClick={clear}>
            Clear
          </button>
        </div>
      </div>

      {(feed.error || clearError) && (
        <div className="banner error" role="alert">
          {feed.error ?? clearError}
        </div>
      )}

      {showEmpty && filtered && (
        <div className="empty">
          <h2>No exchange matches these filters</h2>
          <p>The search covers URLs, headers and bodies of everything in the log.</p>
          <button type="button" className="button" onClick={() => setFilter({})}>
            Clear filters
          </button>
        </div>
      )}
      {showEmpty && !filtered && (
        <GettingStarted title="No traffic yet">
          <p>Every request that passes through Tollgate appears here as it happens.</p>
        </GettingStarted>
      )}
      {!showEmpty && (
        <VirtualTable
          label="Traffic"
          rows={feed.items}
          columns={columns}
          minWidth={compact ? 520 : 980}
          rowKey={(row) => row.id}
          selectedKey={selectedId}
          onSelect={select}
          onEndReached={feed.nextCursor !== undefined ? loadOlder : undefined}
          rowClassName={(row) => (row.status === 429 ? 'limited' : '')}
        />
      )}
    </div>
  )
}
