import { useEffect, useMemo, useState } from 'react'
import { call } from '../../api/client'
import { useStore } from '../../api/external-store'
import { TextField } from '../../components/fields'
import { buildEdit, toEditDraft, type EditDraft } from './exchange-edit'
import { replaySetup } from './replay-store'

/**
 * The one exchange as a form. It is read with API keys in clear: a masked key sent again would
 * be charged to another budget than the recorded one.
 */
export function ExchangeEditor({ id }: { id: number }) {
  const edit = useStore(replaySetup, (state) => state.edit)
  const [error, setError] = useState<string>()
  const loaded = edit?.id === id ? edit : undefined

  useEffect(() => {
    if (loaded) return
    let current = true
    call('traffic.get', { id, reveal: true }).then(
      (detail) => {
        if (!current) return
        const original = toEditDraft(detail)
        replaySetup.set({ edit: { id, original, draft: original } })
        setError(undefined)
      },
      (failure: Error) => current && setError(failure.message),
    )
    return () => {
      current = false
    }
  }, [id, loaded])

  const problems = useMemo(
    () => (loaded ? buildEdit(loaded.draft, loaded.original).problems : []),
    [loaded],
  )

  if (error) return <div className="banner error">{error}</div>
  if (!loaded) return <p className="muted">Loading #{id}…</p>

  const { draft, original } = loaded
  const change = (patch: Partial<EditDraft>) =>
    replaySetup.set({ edit: { ...loaded, draft: { ...draft, ...patch } } })
  const changed = JSON.stringify(draft) !== JSON.stringify(original)
  const lines = (text: string) => Math.min(14, Math.max(3, text.split('\n').length + 1))

  return (
    <div className="exchange-editor" role="group" aria-label={`Edit exchange #${id}`}>
      <div className="field-row">
        <TextField
          id="edit-method"
          label="Method"
          className="method-field"
          value={draft.method}
          onChange={(value) => change({ method: value })}
        />
        <TextField
          id="edit-url"
          label="URL (path and query)"
          className="url-field"
          value={draft.url}
          onChange={(value) => change({ url: value })}
        />
      </div>
      <div className="field">
        <label htmlFor="edit-headers">Headers, one "Name: value" per line</label>
        <textarea
          id="edit-headers"
          className="input mono textarea"
          rows={lines(draft.headers)}
          spellCheck={false}
          value={draft.headers}
          onChange={(event) => change({ headers: event.target.value })}
        />
        <p className="hint">
          Host is set to the gateway's and Content-Length to the body's; API keys show in clear.
        </p>
      </div>
      <div className="field">
        <label htmlFor="edit-body">Body</label>
        {draft.body === undefined ? (
          <p className="hint">{draft.bodyLocked}</p>
        ) : (
          <textarea
            id="edit-body"
            className="input mono textarea"
            rows={lines(draft.body)}
            spellCheck={false}
            value={draft.body}
            onChange={(event) => change({ body: event.target.value })}
          />
        )}
      </div>
      {problems.length > 0 && (
        <ul className="problems error" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <span className={changed ? 'attention-text' : 'muted'}>
          {changed ? 'Edited: the replay sends the form as it stands.' : 'As recorded.'}
        </span>
        <button
          type="button"
          className="button small"
          disabled={!changed}
          onClick={() => replaySetup.set({ edit: { ...loaded, draft: original } })}
        >
          Back to recorded
        </button>
      </div>
    </div>
  )
}
