import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { appStore, showView, startApp, type ViewId } from './api/app-store'
import { useStore } from './api/external-store'
import { HeaderBar } from './components/header-bar'
import { BudgetsView } from './views/budgets/budgets-view'
import { ExchangeDetailPanel } from './views/detail/exchange-detail'
import { PreflightsView } from './views/preflights/preflights-view'
import { followReplays } from './views/replay/replay-store'
import { ReplayView } from './views/replay/replay-view'
import { RulesView } from './views/rules/rules-view'
import { TrafficView } from './views/traffic/traffic-view'

const VIEWS: { id: ViewId; label: string }[] = [
  { id: 'traffic', label: 'Traffic' },
  { id: 'budgets', label: 'Budgets' },
  { id: 'preflights', label: 'Preflights' },
  { id: 'rules', label: 'Rules' },
  { id: 'replay', label: 'Replay' },
]

const DETAIL_VIEWS = new Set<ViewId>(['traffic', 'preflights', 'replay'])

/** The inspector: header bar, one tab per view, and the exchange detail beside the lists. */
export function App() {
  const view = useStore(appStore, (state) => state.view)
  const selectedId = useStore(appStore, (state) => state.selectedId)
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({})

  // A view is built the first time it is shown: the hidden ones would otherwise query the log
  // while the first rows of the one in front are still on their way.
  const [visited, setVisited] = useState<ReadonlySet<ViewId>>(() => new Set([view]))
  if (!visited.has(view)) setVisited(new Set([...visited, view]))

  useEffect(() => startApp(), [])
  useEffect(() => followReplays(), [])
  useEffect(() => {
    history.replaceState(null, '', `#${view}`)
  }, [view])

  // Arrow keys move between tabs, as in any tab list.
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1 }[event.key]
    if (next === undefined) return
    const target = VIEWS[(next + VIEWS.length) % VIEWS.length]!
    showView(target.id)
    tabRefs.current[target.id]?.focus()
  }

  // The detail panel belongs to the lists and to the replay results that link to exchanges;
  // Budgets and Rules use the whole width.
  const showDetail = selectedId !== undefined && DETAIL_VIEWS.has(view)

  return (
    <div className="app">
      <HeaderBar />
      <nav className="tabs" role="tablist" aria-label="Views">
        {VIEWS.map((item, index) => (
          <button
            key={item.id}
            ref={(element) => {
              tabRefs.current[item.id] = element
            }}
            type="button"
            role="tab"
            id={`tab-${item.id}`}
            aria-selected={view === item.id}
            aria-controls={`panel-${item.id}`}
            tabIndex={view === item.id ? 0 : -1}
            className="tab"
            onClick={() => showView(item.id)}
            onKeyDown={(event) => onTabKey(event, index)}
          >
            {item.label}
          </button>
        ))}
      </nav>
      <div className={`workspace ${showDetail ? 'with-detail' : ''}`}>
        {VIEWS.map((item) => (
          <section
            key={item.id}
            role="tabpanel"
            id={`panel-${item.id}`}
            aria-labelledby={`tab-${item.id}`}
            className="panel"
            hidden={view !== item.id}
          >
            {visited.has(item.id) && <ViewContent id={item.id} active={view === item.id} />}
          </section>
        ))}
        {showDetail && <ExchangeDetailPanel />}
      </div>
    </div>
  )
}

function ViewContent({ id, active }: { id: ViewId; active: boolean }) {
  switch (id) {
    case 'traffic':
      return <TrafficView />
    case 'budgets':
      return <BudgetsView active={active} />
    case 'preflights':
      return <PreflightsView />
    case 'rules':
      return <RulesView />
    case 'replay':
      return <ReplayView />
  }
}
