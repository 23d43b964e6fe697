import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { appStore, startApp } from './api/app-store'
import { useStore } from './api/external-store'
import { HeaderBar } from './components/header-bar'
import { BudgetsView } from './views/budgets/budgets-view'
import { ExchangeDetailPanel } from './views/detail/exchange-detail'
import { PreflightsView } from './views/preflights/preflights-view'
import { RulesView } from './views/rules/rules-view'
import { TrafficView } from './views/traffic/traffic-view'

type ViewId = 'traffic' | 'budgets' | 'preflights' | 'rules'

const VIEWS: { id: ViewId; label: string }[] = [
  { id: 'traffic', label: 'Traffic' },
  { id: 'budgets', label: 'Budgets' },
  { id: 'preflights', label: 'Preflights' },
  { id: 'rules', label: 'Rules' },
]

/** The inspector: header bar, one tab per view, and the exchange detail beside the lists. */
export function App() {
  const [view, setView] = useState<ViewId>(() => readViewFromHash())
  const selectedId = useStore(appStore, (state) => state.selectedId)
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({})

  // A view is built the first time it is shown: the hidden ones would otherwise query the log
  // while the first rows of the one in front are still on their way.
  const [visited, setVisited] = useState<ReadonlySet<ViewId>>(() => new Set([view]))
  if (!visited.has(view)) setVisited(new Set([...visited, view]))

  useEffect(() => startApp(), [])
  useEffect(() => {
    history.replaceState(null, '', `#${view}`)
  }, [view])

  // Arrow keys move between tabs, as in any tab list.
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1 }[event.key]
    if (next === undefined) return
    const target = VIEWS[(next + VIEWS.length) % VIEWS.length]!
    setView(target.id)
    tabRefs.current[target.id]?.focus()
  }

  // The detail panel belongs to the lists; Budgets and Rules use the whole width.
  const showDetail = selectedId !== undefined && (view === 'traffic' || view === 'preflights')

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
            onClick={() => setView(item.id)}
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
  }
}

/** The view named in the address (`#budgets`), so a reload keeps the user where they were. */
function readViewFromHash(): ViewId {
  const name = location.hash.slice(1)
  return VIEWS.some((item) => item.id === name) ? (name as ViewId) : 'traffic'
}
