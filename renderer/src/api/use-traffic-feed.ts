import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import type { TrafficFilter } from '../../../shared/api'
import { appStore, onControlEvent } from './app-store'
import { call } from './client'
import { useStore } from './external-store'
import { TrafficFeed } from './traffic-feed'

/** A live list of exchanges for `filter`, reloaded on every filter change and reconnect. */
export function useTrafficFeed(filter: TrafficFilter) {
  const [feed] = useState(() => new TrafficFeed((params) => call('traffic.list', params)))
  const generation = useStore(appStore, (state) => state.generation)
  const filterKey = JSON.stringify(filter)

  useEffect(
    () =>
      onControlEvent((event) => {
        if (event.type === 'traffic.recorded') feed.receive(event.exchanges)
        if (event.type === 'traffic.cleared') feed.clear()
      }),
    [feed],
  )

  // The first connection only has to catch up on what was recorded before events flowed, so
  // the first page, which may still be on its way, is kept. A reconnect or new filter reloads.
  const loadedKey = useRef<string | undefined>(undefined)
  useEffect(() => {
    if (generation === 1 && loadedKey.current === filterKey) void feed.catchUp()
    else void feed.load(JSON.parse(filterKey) as TrafficFilter)
    loadedKey.current = filterKey
  }, [feed, filterKey, generation])

  useEffect(() => () => feed.dispose(), [feed])

  const state = useSyncExternalStore(feed.subscribe, feed.getState)
  return useMemo(() => ({ ...state, feed }), [state, feed])
}
