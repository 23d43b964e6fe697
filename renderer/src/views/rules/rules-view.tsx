import { useEffect, useState } from 'react'
import type { CorsConfig, TollgateConfig, TollgateConfigInput } from '../../../../shared/config'
import { appStore } from '../../api/app-store'
import { call } from '../../api/client'
import { useStore } from '../../api/external-store'
import { ListField } from './list-field'
import { fromLimitsDraft, LimitsEditor, toLimitsDraft, type LimitsDraft } from './limits-editor'
import { OriginEditor } from './origin-editor'

interface Draft {
  cors: CorsConfig
  maxAge: string
  limits: LimitsDraft
}

function toDraft(config: TollgateConfig): Draft {
  return {
    cors: config.cors,
    maxAge: config.cors.maxAge === undefined ? '' : String(config.cors.maxAge),
    limits: toLimitsDraft(config.rateLimit),
  }
}

/** Turns the draft into a config.update change, or lists what must be fixed first. */
function toChange(draft: Draft): TollgateConfigInput | string[] {
  const rateLimit = fromLimitsDraft(draft.limits)
  const problems = Array.isArray(rateLimit) ? [...rateLimit] : []
  const maxAge = draft.maxAge.trim() === '' ? null : Number(draft.maxAge)
  if (maxAge !== null && !Number.isInteger(maxAge)) {
    problems.push(`Max age: "${draft.maxAge}" is not a whole number of seconds.`)
  }
  if (problems.length > 0 || Array.isArray(rateLimit)) return problems

  // null clears maxAge on the core; leaving it out would keep the old value.
  const cors = { ...draft.cors, maxAge: maxAge as number | undefined }
  return { cors, rateLimit }
}

/** The CORS allowlist and the rate limits, edited together and applied with one Save. */
export function RulesView() {
  const configView = useStore(appStore, (state) => state.configView)
  const demoUrl = useStore(appStore, (state) => state.status?.demo?.allowedUrl)
  const demoOrigin = demoUrl && new URL(demoUrl).origin
  const [draft, setDraft] = useState<Draft>()
  const [dirty, setDirty] = useState(false)
  const [saving, setSaving] = useState(false)
  const [problems, setProblems] = useState<string[]>([])
  const [saved, setSaved] = useState(false)

  // Follow changes made elsewhere, unless the user is in the middle of their own.
  useEffect(() => {
    if (configView && !dirty) setDraft(toDraft(configView.config))
  }, [configView, dirty])

  if (!configView || !draft) return <div className="view empty">Loading the rules…</div>

  const edit = (change: Partial<Draft>) => {
    setDraft({ ...draft, ...change })
    setDirty(true)
    setSaved(false)
  }
  const editCors = (change: Partial<CorsConfig>) => edit({ cors: { ...draft.cors, ...change } })

  const save = async () => {
    const change = toChange(draft)
    if (Array.isArray(change)) return setProblems(['Fix these fields first:', ...change])
    setSaving(true)
    try {
      const view = await call('config.update', { change })
      appStore.set({ configView: view })
      setDraft(toDraft(view.config))
      setDirty(false)
      setProblems([])
      setSaved(true)
    } catch (error) {
      // The core lists one problem per line under a heading; show them the same way.
      const lines = (error as Error).message.split('\n').map((line) => line.replace(/^\s*-\s*/, ''))
      setProblems(lines)
    } finally {
      setSaving(false)
    }
  }
  const discard = () => {
    setDraft(toDraft(configView.config))
    setDirty(false)
    setProblems([])
  }

  return (
    <div className="view scroll">
      <div className="rules">
        <div className="save-bar" role="region" aria-label="Save changes">
          <span className={dirty ? 'attention-text' : 'muted'}>
            {dirty
              ? 'Unsaved changes'
              : saved
                ? 'Saved; in force now.'
                : 'Changes apply at once when saved.'}
          </span>
          <div className="spacer" />
          <button type="button" className="button" disabled={!dirty || saving} onClick={discard}>
            Discard
          </button>
          <button
            type="button"
            className="button primary"
            disabled={!dirty || saving}
            onClick={save}
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
        {problems.length > 0 && (
          <div className="banner error refused" role="alert">
            <strong>{problems.length > 1 ? problems[0] : 'The change was refused.'}</strong>
            <ul>
              {(problems.length > 1 ? problems.slice(1) : problems).map((problem, index) => (
                <li key={index}>{problem}</li>
              ))}
            </ul>
          </div>
        )}

        <section className="card" aria-labelledby="cors-heading">
          <h2 id="cors-heading">CORS</h2>
          <h3>Allowed origins</h3>
          <p className="hint">
            Compared byte for byte with the Origin header browsers send: scheme, host and port, no
            slash. A single <code>*</code> allows every site.
          </p>
          {demoOrigin && draft.cors.allowedOrigins.includes(demoOrigin) && (
            <p className="hint">
              <code>{demoOrigin}</code> is the demo page's origin: allowed while this run lasts and
              never saved.
            </p>
          )}
          <OriginEditor
            origins={draft.cors.allowedOrigins}
            allowCredentials={draft.cors.allowCredentials}
            onChange={(allowedOrigins) => editCors({ allowedOrigins })}
          />

          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.cors.allowCredentials}
              onChange={(e) => editCors({ allowCredentials: e.target.checked })}
            />
            Allow credentials (cookies, HTTP auth) on cross-origin requests
          </label>
          <div className="field-grid">
            <ListField
              label="Allowed methods"
              values={draft.cors.allowedMethods}
              onChange={(allowedMethods) => editCors({ allowedMethods })}
              hint="GET, HEAD and POST pass a preflight even when not listed."
            />
            <ListField
              label="Allowed request headers"
              values={draft.cors.allowedHeaders}
              onChange={(allowedHeaders) => editCors({ allowedHeaders })}
              hint="Matched case-insensitively; * does not cover Authorization."
            />
            <ListField
              label="Exposed response headers"
              values={draft.cors.exposeHeaders}
              onChange={(exposeHeaders) => editCors({ exposeHeaders })}
              placeholder="X-Request-Id"
              hint="The X-RateLimit-* headers and Retry-After are always exposed."
            />
            <div className="field">
              <label htmlFor="max-age">Preflight max age (seconds)</label>
              <input
                id="max-age"
                className="input mono"
                inputMode="numeric"
                placeholder="not sent"
                value={draft.maxAge}
                onChange={(e) => edit({ maxAge: e.target.value })}
              />
              <p className="hint">Empty sends no Access-Control-Max-Age; 0 is sent as 0.</p>
            </div>
          </div>
        </section>

        <section className="card" aria-labelledby="limits-heading">
          <h2 id="limits-heading">Rate limit</h2>
          <LimitsEditor draft={draft.limits} onChange={(limits) => edit({ limits })} />
        </section>
      </div>
    </div>
  )
}
