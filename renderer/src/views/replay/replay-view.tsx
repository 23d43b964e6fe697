import { HarPanel } from './har-panel'
import { ReplayCard } from './replay-card'
import { SelectionCard } from './selection-card'
import { WhatIfPanel } from './what-if-panel'

/**
 * Recorded traffic sent again: one selection, replayed through the gateway or run offline
 * against the current or an edited policy; HAR files in and out.
 */
export function ReplayView() {
  return (
    <div className="view scroll">
      <div className="replay">
        <SelectionCard />
        <ReplayCard />
        <WhatIfPanel />
        <HarPanel />
      </div>
    </div>
  )
}
