import { useMemo } from 'react'
import type { ReplaySelectionParams } from '../../../../shared/api'
import { appStore } from '../../api/app-store'
import { useStore } from '../../api/external-store'
import { buildSelection, type Built } from './replay-setup'
import { replaySetup } from './replay-store'

/** Names a key by its masked form when a budget or row showed it, else by its hash. */
export function useDescribeKey(): (hash: string) => string {
  const budgets = useStore(appStore, (state) => state.budgets)
  return useMemo(() => {
    const masks = new Map(budgets.map((budget) => [budget.keyHash, budget.keyMasked]))
    return (hash: string) => masks.get(hash) ?? `#${hash.slice(0, 10)}`
  }, [budgets])
}

/**
 * The exchange "One exchange" means: the one being edited, else the one selected in a list, so
 * picking another row in Traffic moves the replay along with it.
 */
export function useReplayExchangeId(): number | undefined {
  const selectedId = useStore(appStore, (state) => state.selectedId)
  const setup = useStore(replaySetup, (state) => state)
  return setup.editing ? setup.exchangeId : (selectedId ?? setup.exchangeId)
}

/** The selection the Replay view's form names, shared by the replay and the "what if" run. */
export function useReplaySelection(): Built<ReplaySelectionParams> {
  const setup = useStore(replaySetup, (state) => state)
  const filter = useStore(appStore, (state) => state.trafficFilter)
  const describeKey = useDescribeKey()
  const exchangeId = useReplayExchangeId()
  return useMemo(
    () => buildSelection({ ...setup, exchangeId }, filter, describeKey),
    [setup, filter, describeKey, exchangeId],
  )
}
