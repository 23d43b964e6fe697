/**
 * What the Replay view's form holds, and the `replay.start` and `whatif.run` params it turns
 * into. Plain TypeScript, so the rules are tested without a browser.
 */

import type { ReplayPacing, ReplaySelectionParams, TrafficFilter } from '../../../../shared/api'
import { buildEdit, type EditDraft } from './exchange-edit'

export type SelectionMode = 'filter' | 'session' | 'exchange'

/** Speeds offered for the recorded timing; `custom` reads the typed factor. */
export type SpeedChoice = '1' | '2' | '0.5' | 'custom'

export interface PacingDraft {
  mode: ReplayPacing['mode']
  speed: SpeedChoice
  customSpeed: string
  rate: string
}

export interface ReplaySetup {
  mode: SelectionMode
  session: string
  /** The exchange replayed alone. */
  exchangeId?: number
  /** True while the one exchange is being edited before its replay. */
  editing: boolean
  /** The edit form, once loaded: the recorded fields and the typed ones. */
  edit?: { id: number; original: EditDraft; draft: EditDraft }
  pacing: PacingDraft
  concurrency: string
}

export const INITIAL_SETUP: ReplaySetup = {
  mode: 'filter',
  session: '',
  editing: false,
  pacing: { mode: 'original', speed: '1', customSpeed: '4', rate: '10' },
  concurrency: '32',
}

/** What a run takes, or the problems that stop it. */
export type Built<T> = { value: T; label: string } | { problems: string[] }

/** The selection the form names, with a label for the results' heading. */
export function buildSelection(
  setup: ReplaySetup,
  filter: TrafficFilter,
  describeKey: (hash: string) => string,
): Built<ReplaySelectionParams> {
  if (setup.mode === 'filter') {
    return { value: { filter }, label: `Traffic filter: ${describeFilter(filter, describeKey)}` }
  }
  if (setup.mode === 'session') {
    const session = setup.session.trim()
    if (session === '') return { problems: ['Name the session to replay, e.g. an imported file.'] }
    return { value: { session }, label: `Session ${session}` }
  }

  const id = setup.exchangeId
  if (id === undefined) {
    return { problems: ['Select an exchange in the Traffic view first, then come back.'] }
  }
  if (!setup.editing || setup.edit?.id !== id) return { value: { id }, label: `Exchange #${id}` }
  const { edit, problems } = buildEdit(setup.edit.draft, setup.edit.original)
  if (problems.length > 0) return { problems }
  return edit === undefined
    ? { value: { id }, label: `Exchange #${id}` }
    : { value: { id, edit }, label: `Exchange #${id}, edited` }
}

/** The pacing the form names. */
export function buildPacing(draft: PacingDraft): Built<ReplayPacing> {
  if (draft.mode === 'fastest') return { value: { mode: 'fastest' }, label: 'as fast as possible' }
  if (draft.mode === 'rate') {
    const rate = readPositive(draft.rate)
    if (rate === undefined) {
      return { problems: [`Rate: "${draft.rate}" is not a positive number of requests a second.`] }
    }
    return { value: { mode: 'rate', rate }, label: `${rate} requests a second` }
  }

  const speed = draft.speed === 'custom' ? readPositive(draft.customSpeed) : Number(draft.speed)
  if (speed === undefined) {
    return { problems: [`Speed: "${draft.customSpeed}" is not a positive factor such as 4.`] }
  }
  const label = speed === 1 ? 'original timing' : `original timing ×${speed}`
  return { value: { mode: 'original', speed }, label }
}

/** The concurrency cap typed, or the problem with it. */
export function buildConcurrency(text: string): Built<number> {
  const value = Number(text.trim())
  if (/^\s*\d+\s*$/.test(text) && value >= 1) return { value, label: `${value} at a time` }
  return { problems: [`Concurrency: "${text}" is not a whole number of 1 or more.`] }
}

/** A traffic filter in words: `key sk_live_…cdef · 2xx · "checkout"`, or `all traffic`. */
export function describeFilter(
  filter: TrafficFilter,
  describeKey: (hash: string) => string,
): string {
  const parts: string[] = []
  if (filter.method) parts.push(filter.method)
  if (filter.status !== undefined) parts.push(String(filter.status))
  if (filter.keyHash) parts.push(`key ${describeKey(filter.keyHash)}`)
  if (filter.origin) parts.push(`origin ${filter.origin}`)
  if (filter.outcome)
    parts.push(filter.outcome === 'not-cors' ? 'not cross-origin' : filter.outcome)
  if (filter.kind) parts.push(filter.kind)
  if (filter.text) parts.push(`"${filter.text}"`)
  return parts.length > 0 ? parts.join(' · ') : 'all traffic'
}

function readPositive(text: string): number | undefined {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isFinite(value) && value > 0 ? value : undefined
}
