import { useStore } from '../../api/external-store'
import { RadioChoice } from '../../components/fields'
import type { PacingDraft, SpeedChoice } from './replay-setup'
import { replaySetup } from './replay-store'

const SPEEDS: { value: SpeedChoice; label: string }[] = [
  { value: '1', label: '×1' },
  { value: '2', label: '×2' },
  { value: '0.5', label: '×0.5' },
  { value: 'custom', label: 'custom' },
]

/** How replayed requests are spaced, and how many may be in flight at once. */
export function PacingFields({ disabled }: { disabled: boolean }) {
  const pacing = useStore(replaySetup, (state) => state.pacing)
  const concurrency = useStore(replaySetup, (state) => state.concurrency)
  const set = (patch: Partial<PacingDraft>) => replaySetup.set({ pacing: { ...pacing, ...patch } })

  return (
    <fieldset className="pacing" disabled={disabled}>
      <legend>Pacing</legend>
      <div className="choice">
        <RadioChoice
          group="pacing"
          checked={pacing.mode === 'original'}
          onSelect={() => set({ mode: 'original' })}
        >
          Original timing
        </RadioChoice>
        <div className="segmented" role="group" aria-label="Speed">
          {SPEEDS.map((speed) => (
            <button
              key={speed.value}
              type="button"
              className="segment"
              aria-pressed={pacing.mode === 'original' && pacing.speed === speed.value}
              onClick={() => set({ mode: 'original', speed: speed.value })}
            >
              {speed.label}
            </button>
          ))}
        </div>
        {pacing.speed === 'custom' && (
          <input
            className="input mono short"
            aria-label="Custom speed"
            inputMode="decimal"
            value={pacing.customSpeed}
            onFocus={() => set({ mode: 'original' })}
            onChange={(event) => set({ mode: 'original', customSpeed: event.target.value })}
          />
        )}
        <span className="hint">recorded gaps divided by the speed</span>
      </div>
      <div className="choice">
        <RadioChoice
          group="pacing"
          checked={pacing.mode === 'rate'}
          onSelect={() => set({ mode: 'rate' })}
        >
          Fixed rate
        </RadioChoice>
        <input
          className="input mono short"
          aria-label="Requests a second"
          inputMode="decimal"
          value={pacing.rate}
          onFocus={() => set({ mode: 'rate' })}
          onChange={(event) => set({ mode: 'rate', rate: event.target.value })}
        />
        <span className="hint">requests a second, evenly spaced</span>
      </div>
      <div className="choice">
        <RadioChoice
          group="pacing"
          checked={pacing.mode === 'fastest'}
          onSelect={() => set({ mode: 'fastest' })}
        >
          As fast as possible
        </RadioChoice>
        <span className="hint">limited only by the concurrency cap</span>
      </div>
      <div className="choice">
        <label className="choice-name" htmlFor="replay-concurrency">
          Concurrency cap
        </label>
        <input
          id="replay-concurrency"
          className="input mono short"
          inputMode="numeric"
          value={concurrency}
          onChange={(event) => replaySetup.set({ concurrency: event.target.value })}
        />
        <span className="hint">requests in flight at most</span>
      </div>
    </fieldset>
  )
}
