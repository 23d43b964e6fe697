import { appStore } from '../../api/app-store'
import { useStore } from '../../api/external-store'
import { GettingStarted } from '../../components/getting-started'
import { useNow } from '../../lib/use-now'
import { BudgetCard } from './budget-card'

/** Every budget Tollgate tracks, most recently used first, each with a live chart. */
export function BudgetsView({ active }: { active: boolean }) {
  const budgets = useStore(appStore, (state) => state.budgets)
  // Hidden tabs stay mounted; only the visible one needs a ticking clock.
  const now = useNow(active ? 1000 : 60_000)
  const sorted = [...budgets].sort((a, b) => b.lastSeenAt - a.lastSeenAt)

  // Each card draws a live chart; drawn while hidden, they would cost every frame of the
  // traffic view a share of its time. They mount again, with fresh history, when shown.
  if (!active) return null

  if (sorted.length === 0) {
    return (
      <div className="view">
        <GettingStarted title="No budgets yet">
          <p>
            Each API key gets its own budget on its first request; requests without a key share one
            per client address. Send a request with a key to see its budget drain and refill.
          </p>
        </GettingStarted>
      </div>
    )
  }

  return (
    <div className="view scroll">
      <div className="budget-grid">
        {sorted.map((budget) => (
          <BudgetCard key={budget.bucket} budget={budget} now={now} />
        ))}
      </div>
    </div>
  )
}
