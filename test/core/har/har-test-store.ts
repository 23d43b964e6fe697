/** A real traffic log in a temp dir for HAR tests, and reading a session back oldest first. */

import { silentLogger } from '../../../electron/core/logger'
import { openStore, type LoggedExchange, type Store } from '../../../electron/core/store'
import { makeTempDir } from '../store/helpers'

export interface TestStore {
  store: Store
  dir: string
  close(): void
}

export function openTestStore(): TestStore {
  const temp = makeTempDir()
  const store = openStore({ path: temp.file, logger: silentLogger })
  return {
    store,
    dir: temp.dir,
    close: () => {
      store.close()
      temp.remove()
    },
  }
}

/** Every exchange of a session with its bodies, in the order they were recorded. */
export function readSession(store: Store, session: string): LoggedExchange[] {
  store.flush()
  const ids: number[] = []
  let before: number | undefined
  for (;;) {
    const page = store.list({ session, limit: 1000, before })
    ids.push(...page.items.map((item) => item.id))
    if (page.nextCursor === undefined) break
    before = page.nextCursor
  }
  return ids.reverse().map((id) => store.get(id) as LoggedExchange)
}
