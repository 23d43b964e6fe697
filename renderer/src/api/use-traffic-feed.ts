import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
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

  useEffect(() => {
    void feed.load(JSON.parse(filterKey) as TrafficFilter)
  }, [feed, filterKey, generation])

  useEffect(() => () => feed.dispose(), [feed])

  const state = useSyncExternalStore(feed.subscribe, feed.getState)
  return useMemo(() => ({ ...state, feed }), [state, feed])
}
