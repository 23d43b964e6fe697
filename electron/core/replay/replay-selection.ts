/**
 * Which recorded exchanges a replay sends, in the order they were first sent. A selection is read
 * once, as ids, before anything is sent, so the rows a replay adds to the log never join it.
 */

import { TollgateError } from '../../../shared/errors'
import { MAX_LIMIT, type ExchangeFilter, type Store } from '../store'
import type { ExchangeEdit } from './replay-request'

/**
 * - `{ id, edit? }`: one exchange, edited first when `edit` is given;
 * - `{ ids }`: these exchanges, such as rows picked in the traffic list;
 * - `{ session }`: every exchange of an imported or recorded session;
 * - `{ filter }`: whatever a traffic-list filter selects, e.g. `{ keyHash, status: '2xx' }`.
 */
export type ReplaySelection =
  | { id: number; edit?: ExchangeEdit }
  | { ids: number[] }
  | { session: string }
  | { filter: ExchangeFilter }

/** The ids of a selection with their recorded starts, oldest first. */
export interface SelectedExchanges {
  ids: number[]
  startedAt: number[]
}

type StoreReads = Pick<Store, 'flush' | 'list' | 'get'>

/**
 * Reads the ids `selection` covers, by recorded start and then id. Throws a TollgateError
 * `NOT_FOUND` for an id or a session that holds nothing.
 */
export function selectExchanges(store: StoreReads, selection: ReplaySelection): SelectedExchanges {
  store.flush()
  if ('id' in selection) {
    const exchange = store.get(selection.id)
    if (exchange === undefined) {
      throw new TollgateError(
        'NOT_FOUND',
        `No exchange ${selection.id} in the log to replay; it may have been cleared. Pick an id from the traffic list.`,
      )
    }
    return { ids: [exchange.id], startedAt: [exchange.startedAt] }
  }
  if ('ids' in selection) return sortRows(readListed(store, selection.ids))

  const filter: ExchangeFilter =
    'session' in selection ? { session: selection.session } : selection.filter
  const rows: [startedAt: number, id: number][] = []
  let before: number | undefined
  for (;;) {
    const page = store.list({ ...filter, limit: MAX_LIMIT, before })
    for (const item of page.items) rows.push([item.startedAt, item.id])
    if (page.nextCursor === undefined) break
    before = page.nextCursor
  }

  if (rows.length === 0 && 'session' in selection) {
    throw new TollgateError(
      'NOT_FOUND',
      `The session ${JSON.stringify(selection.session)} holds no exchanges. Import a HAR file into it first, or check the name.`,
    )
  }
  return sortRows(rows)
}

/** The listed exchanges that exist; missing ids are left out, all missing is NOT_FOUND. */
function readListed(store: StoreReads, ids: number[]): [number, number][] {
  const rows: [startedAt: number, id: number][] = []
  for (const id of new Set(ids)) {
    const exchange = store.get(id)
    if (exchange !== undefined) rows.push([exchange.startedAt, id])
  }
  if (rows.length === 0 && ids.length > 0) {
    throw new TollgateError(
      'NOT_FOUND',
      `None of the exchanges ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''} is in the log; they may have been cleared.`,
    )
  }
  return rows
}

function sortRows(rows: [startedAt: number, id: number][]): SelectedExchanges {
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  return { ids: rows.map((row) => row[1]), startedAt: rows.map((row) => row[0]) }
}

/** The edit of a single-exchange selection, if any. */
export function editOf(selection: ReplaySelection): ExchangeEdit | undefined {
  return 'id' in selection ? selection.edit : undefined
}
