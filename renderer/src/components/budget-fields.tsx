import { parseDuration } from '../../../shared/config-validate'
import { formatWindow } from '../lib/format'
import { TextField } from './fields'

/** What a typed window reads as, or how to type one. */
export function WindowHint({ text }: { text: string }) {
  if (text === '') return null
  const ms = parseDuration(text)
  return ms === undefined ? (
    <span className="hint text-danger">use e.g. 60s, 1m or 500ms</span>
  ) : (
    <span className="hint">= {formatWindow(ms)}</span>
  )
}

interface BudgetFieldsProps {
  /** Put before the inputs' ids `limit` and `window`. */
  idPrefix?: string
  limit: string
  window: string
  onChange(change: { limit: string } | { window: string }): void
}

/** A rate limit as typed: requests per window, and the window with what it reads as. */
export function BudgetFields({ idPrefix = '', limit, window, onChange }: BudgetFieldsProps) {
  return (
    <>
      <TextField
        id={`${idPrefix}limit`}
        label="Requests per window"
        className="narrow"
        inputMode="numeric"
        value={limit}
        onChange={(value) => onChange({ limit: value })}
      />
      <TextField
        id={`${idPrefix}window`}
        label="Window"
        className="narrow"
        value={window}
        onChange={(value) => onChange({ window: value })}
      >
        <WindowHint text={window} />
      </TextField>
    </>
  )
}
