import { useEffect, useMemo, useState } from 'react'
import type { TrafficFilter } from '../../../../shared/api'
import type { ExchangeSummary } from '../../../../shared/exchange'
import { appStore } from '../../api/app-store'
import { useStore } from '../../api/external-store'

interface TrafficFiltersProps {
  filter: TrafficFilter
  onChange(filter: TrafficFilter): void
  /** The rows loaded so far, to offer the keys and origins they contain. */
  items: ExchangeSummary[]
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']
const STATUSES = ['2xx', '3xx', '4xx', '5xx', '429']

/** The filter bar: every control narrows traffic.list on the core, so bodies are searched too. */
export function TrafficFilters({ filter, onChange, items }: TrafficFiltersProps) {
  const budgets = useStore(appStore, (state) => state.budgets)
  const [text, setText] = useState(filter.text ?? '')

  useEffect(() => setText(filter.text ?? ''), [filter.text])

  // Searching bodies costs a query on the core, so wait until typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((filter.text ?? '') !== text) onChange({ ...filter, text: text || undefined })
    }, 300)
    return () => clearTimeout(timer)
  }, [text, filter, onChange])

  const keys = useMemo(() => {
    const byHash = new Map<string, string>()
    budgets.forEach((b) => b.keyHash && byHash.set(b.keyHash, b.keyMasked ?? b.keyHash))
    items.forEach((e) => e.keyHash && byHash.set(e.keyHash, e.keyMasked ?? e.keyHash))
    return [...byHash]
  }, [budgets, items])
  const origins = useMemo(
    () => [...new Set(items.flatMap((e) => (e.origin ? [e.origin] : [])))].sort(),
    [items],
  )

  const set = (patch: Partial<TrafficFilter>) => onChange({ ...filter, ...patch })
  const status = filter.status === undefined ? '' : String(filter.status)

  return (
    <div className="filters" role="search" aria-label="Filter traffic">
      <input
        type="search"
        className="input search"
        placeholder="Search URLs, headers, bodies"
        aria-label="Search URLs, headers and bodies"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <select
        className="input"
        aria-label="Method"
        value={filter.method ?? ''}
        onChange={(event) => set({ method: event.target.value || undefined })}
      >
        <option value="">Any method</option>
        {METHODS.map((method) => (
          <option key={method}>{method}</option>
        ))}
      </select>
      <select
        className="input"
        aria-label="Status"
        value={status}
        onChange={(event) => {
          const value = event.target.value
          set({ status: value === '' ? undefined : value === '429' ? 429 : (value as '2xx') })
        }}
      >
        <option value="">Any status</option>
        {STATUSES.map((value) => (
          <option key={value} value={value}>
            {value === '429' ? '429 rate limited' : value}
          </option>
        ))}
      </select>
      <select
        className="input"
        aria-label="API key"
        value={filter.keyHash ?? ''}
        onChange={(event) => set({ keyHash: event.target.value || undefined })}
      >
        <option value="">Any key</option>
        {keys.map(([hash, masked]) => (
          <option key={hash} value={hash}>
            {masked}
          </option>
        ))}
      </select>
      <select
        className="input"
        aria-label="Origin"
        value={filter.origin ?? ''}
        onChange={(event) => set({ origin: event.target.value || undefined })}
      >
        <option value="">Any origin</option>
        {filter.origin && !origins.includes(filter.origin) && <option>{filter.origin}</option>}
        {origins.map((origin) => (
          <option key={origin}>{origin}</option>
        ))}
      </select>
      <select
        className="input"
        aria-label="CORS verdict"
        value={filter.outcome ?? ''}
        onChange={(event) =>
          set({ outcome: (event.target.value || undefined) as TrafficFilter['outcome'] })
        }
      >
        <option value="">Any verdict</option>
        <option value="allowed">Allowed</option>
        <option value="blocked">Blocked</option>
        <option value="not-cors">Not cross-origin</option>
      </select>
    </div>
  )
}

/** Whether any filter narrows the list. */
export function isFiltered(filter: TrafficFilter): boolean {
  return Object.values(filter).some((value) => value !== undefined && value !== '')
}
