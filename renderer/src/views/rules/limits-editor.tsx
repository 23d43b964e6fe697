import { useState } from 'react'
import type { RateLimitConfig } from '../../../../shared/config'
import { parseDuration } from '../../../../shared/config-validate'
import { maskKey } from '../../../../shared/keys'
import { BudgetFields, WindowHint } from '../../components/budget-fields'

/** The rate-limit settings as typed: text until saved, so half-typed numbers survive. */
export interface LimitsDraft {
  limit: string
  window: string
  enforce: boolean
  draftHeaders: boolean
  overrides: { key: string; limit: string; window: string }[]
}

export function toLimitsDraft(config: RateLimitConfig): LimitsDraft {
  return {
    limit: String(config.limit),
    window: toDurationText(config.windowMs),
    enforce: config.enforce,
    draftHeaders: config.draftHeaders,
    overrides: Object.entries(config.perKey).map(([key, override]) => ({
      key,
      limit: override.limit === undefined ? '' : String(override.limit),
      window: override.windowMs === undefined ? '' : toDurationText(override.windowMs),
    })),
  }
}

/** The draft as a config change, or the problems that stop it from being one. */
export function fromLimitsDraft(draft: LimitsDraft): Partial<RateLimitConfig> | string[] {
  const problems: string[] = []
  const limit = parseCount(draft.limit)
  const windowMs = parseDuration(draft.window)
  if (limit === undefined) problems.push(`Limit: "${draft.limit}" is not a whole number.`)
  if (windowMs === undefined) problems.push(`Window: "${draft.window}" is not a duration.`)

  const perKey: RateLimitConfig['perKey'] = {}
  draft.overrides.forEach((row, index) => {
    const where = `Override ${index + 1}`
    if (row.key === '') return problems.push(`${where}: enter the API key it applies to.`)
    const override: { limit?: number; windowMs?: number } = {}
    if (row.limit !== '') {
      override.limit = parseCount(row.limit)
      if (override.limit === undefined)
        problems.push(`${where}: "${row.limit}" is not a whole number.`)
    }
    if (row.window !== '') {
      override.windowMs = parseDuration(row.window)
      if (override.windowMs === undefined)
        problems.push(`${where}: "${row.window}" is not a duration.`)
    }
    perKey[row.key] = override
  })

  if (problems.length > 0) return problems
  return { limit, windowMs, perKey, enforce: draft.enforce, draftHeaders: draft.draftHeaders }
}

/** The shortest exact duration text parseDuration reads back: `1m`, `90s`, `1500ms`. */
export function toDurationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

function parseCount(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined
}

interface LimitsEditorProps {
  draft: LimitsDraft
  onChange(draft: LimitsDraft): void
}

/** The global limit and window, and the keys that get their own. */
export function LimitsEditor({ draft, onChange }: LimitsEditorProps) {
  const [showKeys, setShowKeys] = useState(false)
  const set = (patch: Partial<LimitsDraft>) => onChange({ ...draft, ...patch })
  const setRow = (index: number, patch: Partial<LimitsDraft['overrides'][number]>) =>
    set({
      overrides: draft.overrides.map((row, at) => (at === index ? { ...row, ...patch } : row)),
    })

  return (
    <div className="limits-editor">
      <div className="field-row">
        <BudgetFields limit={draft.limit} window={draft.window} onChange={set} />
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.enforce}
          onChange={(e) => set({ enforce: e.target.checked })}
        />
        Refuse requests over the limit with 429 (off: only count and log them)
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.draftHeaders}
          onChange={(e) => set({ draftHeaders: e.target.checked })}
        />
        Also send the IETF draft <code>RateLimit</code> and <code>RateLimit-Policy</code> headers
      </label>

      <h4>Per-key overrides</h4>
      {draft.overrides.length === 0 ? (
        <p className="muted">
          Every key gets the limit above. Add an override to give one key its own.
        </p>
      ) : (
        <table className="overrides">
          <thead>
            <tr>
              <th scope="col">API key</th>
              <th scope="col">Limit</th>
              <th scope="col">Window</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.overrides.map((row, index) => (
              <tr key={index}>
                <td>
                  <input
                    className="input mono"
                    type={showKeys || row.key === '' ? 'text' : 'password'}
                    aria-label={`API key of override ${index + 1}`}
                    placeholder="the key, as the client sends it"
                    value={row.key}
                    title={showKeys ? undefined : maskKey(row.key)}
                    onChange={(e) => setRow(index, { key: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    className="input mono"
                    aria-label={`Limit of override ${index + 1}`}
                    placeholder={draft.limit}
                    value={row.limit}
                    onChange={(e) => setRow(index, { limit: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    className="input mono"
                    aria-label={`Window of override ${index + 1}`}
                    placeholder={draft.window}
                    value={row.window}
                    onChange={(e) => setRow(index, { window: e.target.value })}
                  />
                  <WindowHint text={row.window} />
                </td>
                <td>
                  <button
                    type="button"
                    className="button small"
                    onClick={() =>
                      set({ overrides: draft.overrides.filter((_, at) => at !== index) })
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button
          type="button"
          className="button small"
          onClick={() =>
            set({ overrides: [...draft.overrides, { key: '', limit: '', window: '' }] })
          }
        >
          Add override
        </button>
        {draft.overrides.length > 0 && (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={showKeys}
              onChange={(e) => setShowKeys(e.target.checked)}
            />
            Show keys
          </label>
        )}
      </div>
    </div>
  )
}
