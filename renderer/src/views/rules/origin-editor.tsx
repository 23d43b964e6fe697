import { useState } from 'react'
import {
  validateOriginEntry,
  validateOriginList,
  type OriginEntryResult,
} from '../../../../shared/origin'

interface OriginEditorProps {
  origins: string[]
  allowCredentials: boolean
  onChange(origins: string[]): void
}

/** The allowlist, each entry checked as it is typed, with a one-click fix to the browser's form. */
export function OriginEditor({ origins, allowCredentials, onChange }: OriginEditorProps) {
  const [draft, setDraft] = useState('')
  const { results } = validateOriginList(origins, allowCredentials)
  const draftResult = draft === '' ? undefined : validateOriginEntry(draft, allowCredentials)

  const replace = (index: number, value: string) =>
    onChange(origins.map((origin, at) => (at === index ? value : origin)))
  const remove = (index: number) => onChange(origins.filter((_, at) => at !== index))
  const add = (value = draft) => {
    if (value === '') return
    onChange([...origins, value])
    setDraft('')
  }

  return (
    <div className="origin-editor">
      {origins.length === 0 && (
        <p className="muted">
          No origin is allowed: browsers block every cross-origin read. Add the origin your app is
          served from.
        </p>
      )}
      <ul className="origin-list">
        {origins.map((origin, index) => (
          <li key={index} className={`origin-entry ${results[index]?.severity ?? 'ok'}`}>
            <div className="origin-row">
              <SeverityMark result={results[index]} />
              <input
                className="input mono"
                value={origin}
                aria-label={`Allowed origin ${index + 1}`}
                aria-invalid={results[index]?.severity === 'error'}
                onChange={(event) => replace(index, event.target.value)}
              />
              <button type="button" className="button small" onClick={() => remove(index)}>
                Remove
              </button>
            </div>
            <Problems result={results[index]} onFix={(fix) => replace(index, fix)} />
          </li>
        ))}
      </ul>

      <form
        className="origin-row add"
        onSubmit={(event) => {
          event.preventDefault()
          add()
        }}
      >
        <SeverityMark result={draftResult} />
        <input
          className="input mono"
          placeholder="https://app.example.com"
          aria-label="New allowed origin"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="button small" disabled={draft === ''}>
          Add origin
        </button>
      </form>
      <Problems result={draftResult} onFix={(fix) => setDraft(fix)} />
    </div>
  )
}

function SeverityMark({ result }: { result?: OriginEntryResult }) {
  if (!result) return <span className="severity" aria-hidden="true" />
  const labels = { ok: 'matches', warning: 'warning', error: 'never matches' }
  return (
    <span className={`severity ${result.severity}`} title={labels[result.severity]}>
      <span className="visually-hidden">{labels[result.severity]}</span>
    </span>
  )
}

function Problems({ result, onFix }: { result?: OriginEntryResult; onFix(fix: string): void }) {
  if (!result || result.problems.length === 0) return null
  const canonical = result.canonical
  return (
    <div className={`problems ${result.severity}`} role="status">
      {result.problems.map((problem, index) => (
        <p key={index}>{problem}</p>
      ))}
      {canonical !== undefined && canonical !== result.entry && (
        <button type="button" className="button small" onClick={() => onFix(canonical)}>
          Use <code>{canonical}</code>
        </button>
      )}
    </div>
  )
}
