import { useEffect, useState } from 'react'
import type { WhatIfResult } from '../../../../shared/api'
import { parseDuration } from '../../../../shared/config-validate'
import { appStore } from '../../api/app-store'
import { call } from '../../api/client'
import { useStore } from '../../api/external-store'
import { BudgetFields } from '../../components/budget-fields'
import {
  buildPolicyChange,
  describePolicy,
  readOrigins,
  toPolicyDraft,
  type PolicyDraft,
} from './what-if-policy'
import { WhatIfResults } from './what-if-results'
import { useReplaySelection } from './use-replay-selection'

/** A policy as the results name it: in words, and the global limit keys without an override get. */
export interface PolicySummary {
  text: string
  limit: number
  windowMs: number
}

/** What a run found: under the current policy, and under the edited one when it differs. */
export interface WhatIfOutcome {
  label: string
  current: WhatIfResult
  currentPolicy: PolicySummary
  edited?: WhatIfResult
  editedPolicy?: PolicySummary
}

/** Runs the selection offline through the policies, current and edited, side by side. */
export function WhatIfPanel() {
  const configView = useStore(appStore, (state) => state.configView)
  const selection = useReplaySelection()
  const [draft, setDraft] = useState<PolicyDraft>()
  const [dirty, setDirty] = useState(false)
  const [outcome, setOutcome] = useState<WhatIfOutcome>()
  const [problems, setProblems] = useState<string[]>([])
  const [running, setRunning] = useState(false)

  // Follow the config until the user starts editing their own version of it.
  useEffect(() => {
    if (configView && !dirty) setDraft(toPolicyDraft(configView.config))
  }, [configView, dirty])

  if (!configView || !draft) return null
  const config = configView.config

  const edit = (patch: Partial<PolicyDraft>) => {
    setDraft({ ...draft, ...patch })
    setDirty(true)
  }

  const run = async () => {
    const { change, problems: policyProblems } = buildPolicyChange(draft, config)
    const found = [...('problems' in selection ? selection.problems : []), ...policyProblems]
    setProblems(found)
    if ('problems' in selection || found.length > 0) return

    setRunning(true)
    try {
      // Both runs read the same rows; the second differs from the first only by the change.
      const [current, edited] = await Promise.all([
        call('whatif.run', { selection: selection.value }),
        change ? call('whatif.run', { selection: selection.value, change }) : undefined,
      ])
      const { limit, windowMs } = config.rateLimit
      const origins = config.cors.allowedOrigins
      setOutcome({
        label: selection.label,
        current,
        currentPolicy: { text: describePolicy(limit, windowMs, origins), limit, windowMs },
        edited,
        editedPolicy: edited && summarizeDraft(draft),
      })
    } catch (error) {
      setProblems([(error as Error).message])
    } finally {
      setRunning(false)
    }
  }

  return (
    <section className="card" aria-labelledby="what-if-heading">
      <h2 id="what-if-heading">What if</h2>
      <p className="hint">
        Runs the same selection offline through the rate limit and CORS rules, on the recorded
        times: nothing is sent. Edit the policy to see what another one would change.
      </p>
      <div className="field-row policy-fields">
        <BudgetFields
          idPrefix="what-if-"
          limit={draft.limit}
          window={draft.window}
          onChange={edit}
        />
        <div className="field origins-field">
          <label htmlFor="what-if-origins">Allowed origins, one per line</label>
          <textarea
            id="what-if-origins"
            className="input mono textarea"
            rows={Math.min(6, Math.max(2, draft.origins.split('\n').length))}
            spellCheck={false}
            value={draft.origins}
            onChange={(event) => edit({ origins: event.target.value })}
          />
        </div>
      </div>
      <div className="actions">
        <button type="button" className="button primary" disabled={running} onClick={run}>
          {running ? 'Predicting…' : 'Predict'}
        </button>
        <button
          type="button"
          className="button"
          disabled={!dirty}
          onClick={() => {
            setDraft(toPolicyDraft(config))
            setDirty(false)
          }}
        >
          Back to the current policy
        </button>
        <span className="muted">
          {dirty ? 'Edited: compared with the current policy.' : 'The current policy.'}
        </span>
      </div>
      {problems.length > 0 && (
        <ul className="problems error" role="alert">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      {outcome && <WhatIfResults outcome={outcome} />}
    </section>
  )
}

/** The edited policy; only called once buildPolicyChange has accepted the draft. */
function summarizeDraft(draft: PolicyDraft): PolicySummary {
  const limit = Number(draft.limit)
  const windowMs = parseDuration(draft.window) ?? 0
  return { text: describePolicy(limit, windowMs, readOrigins(draft.origins)), limit, windowMs }
}
