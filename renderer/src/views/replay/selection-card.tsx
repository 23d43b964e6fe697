import { useEffect, useState } from 'react'
import type { ExchangeSummary } from '../../../../shared/exchange'
import { appStore, showView } from '../../api/app-store'
import { call } from '../../api/client'
import { useStore } from '../../api/external-store'
import { StatusCell } from '../traffic/traffic-columns'
import { RadioChoice } from '../../components/fields'
import { ExchangeEditor } from './exchange-editor'
import { describeFilter, type SelectionMode } from './replay-setup'
import { knownSessions, replaySetup } from './replay-store'
import { useDescribeKey, useReplayExchangeId } from './use-replay-selection'

/** Which recorded exchanges the replay and the "what if" run take. */
export function SelectionCard() {
  const setup = useStore(replaySetup, (state) => state)
  const filter = useStore(appStore, (state) => state.trafficFilter)
  const sessions = useStore(knownSessions, (state) => state.names)
  const describeKey = useDescribeKey()
  const exchangeId = useReplayExchangeId()
  const setMode = (mode: SelectionMode) => replaySetup.set({ mode })

  return (
    <section className="card" aria-labelledby="selection-heading">
      <h2 id="selection-heading">What to replay</h2>
      <div className="choices" role="radiogroup" aria-label="Selection">
        <div className="choice">
          <RadioChoice
            group="selection"
            checked={setup.mode === 'filter'}
            onSelect={() => setMode('filter')}
          >
            Traffic filter
          </RadioChoice>
          <span className="choice-detail">{describeFilter(filter, describeKey)}</span>
          <button type="button" className="link" onClick={() => showView('traffic')}>
            change in Traffic
          </button>
        </div>

        <div className="choice">
          <RadioChoice
            group="selection"
            checked={setup.mode === 'session'}
            onSelect={() => setMode('session')}
          >
            Session
          </RadioChoice>
          <input
            className="input mono"
            aria-label="Session name"
            list="replay-sessions"
            placeholder="an imported file, e.g. checkout.har"
            value={setup.session}
            onFocus={() => setMode('session')}
            onChange={(event) => replaySetup.set({ session: event.target.value, mode: 'session' })}
          />
          <datalist id="replay-sessions">
            {sessions.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </div>

        <div className="choice">
          <RadioChoice
            group="selection"
            checked={setup.mode === 'exchange'}
            onSelect={() => setMode('exchange')}
          >
            One exchange
          </RadioChoice>
          {exchangeId === undefined ? (
            <span className="choice-detail muted">none selected: pick a row in Traffic</span>
          ) : (
            <ExchangeLine id={exchangeId} />
          )}
        </div>
        {setup.mode === 'exchange' && exchangeId !== undefined && (
          <div className="choice-extra">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={setup.editing}
                onChange={(event) => replaySetup.set({ editing: event.target.checked, exchangeId })}
              />
              Edit before replay (method, URL, headers, body)
            </label>
            {setup.editing && <ExchangeEditor id={exchangeId} />}
          </div>
        )}
      </div>
    </section>
  )
}

/** `#12 GET /items 200`, read from the log. */
function ExchangeLine({ id }: { id: number }) {
  const [exchange, setExchange] = useState<ExchangeSummary>()
  const [missing, setMissing] = useState<string>()

  useEffect(() => {
    let current = true
    call('traffic.get', { id }).then(
      (detail) => current && (setExchange(detail), setMissing(undefined)),
      (error: Error) => current && (setExchange(undefined), setMissing(error.message)),
    )
    return () => {
      current = false
    }
  }, [id])

  if (missing) return <span className="choice-detail text-danger">{missing}</span>
  return (
    <span className="choice-detail exchange-line">
      <span className="muted">#{id}</span>
      {exchange && (
        <>
          <strong>{exchange.method}</strong>
          <code className="ellipsis">{exchange.url}</code>
          <StatusCell exchange={exchange} />
        </>
      )}
    </span>
  )
}
