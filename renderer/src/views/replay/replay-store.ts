/**
 * The Replay view's shared state: the form (kept while other views are in front, and filled in
 * from the exchange detail's "Edit and replay"), the run in progress, and the sessions known.
 */

import { onControlEvent, showView } from '../../api/app-store'
import { call } from '../../api/client'
import { createStore } from '../../api/external-store'
import { ReplayRunner } from '../../api/replay-run'
import { INITIAL_SETUP, type ReplaySetup } from './replay-setup'

export const replaySetup = createStore<ReplaySetup>(INITIAL_SETUP)

export const replayRunner = new ReplayRunner({
  start: (params) => call('replay.start', params),
  cancel: (params) => call('replay.cancel', params),
})

/**
 * Session names this UI has come across: imported here, or carried by rows the core pushed. The
 * control API has no list of sessions, so older ones are typed by name.
 */
export const knownSessions = createStore<{ names: string[] }>({ names: [] })

export function noteSession(name: string) {
  const { names } = knownSessions.get()
  if (!names.includes(name)) knownSessions.set({ names: [...names, name].sort() })
}

/** Opens the Replay view on one exchange, with its editor open. */
export function editForReplay(id: number) {
  replaySetup.set({ mode: 'exchange', exchangeId: id, editing: true })
  showView('replay')
}

/** Follows replay events and session names; returns the function that stops. */
export function followReplays(): () => void {
  return onControlEvent((event) => {
    replayRunner.receive(event)
    if (event.type !== 'traffic.recorded') return
    for (const exchange of event.exchanges) {
      // Rows carry their session although the shared summary type does not name it.
      const session = (exchange as { session?: unknown }).session
      if (typeof session === 'string') noteSession(session)
    }
  })
}
