import { useSyncExternalStore } from 'react'

/** A value that changes outside React and the components that read it. */
export interface ExternalStore<T> {
  get(): T
  set(change: Partial<T> | ((state: T) => Partial<T>)): void
  subscribe(listener: () => void): () => void
}

export function createStore<T extends object>(initial: T): ExternalStore<T> {
  let state = initial
  const listeners = new Set<() => void>()

  return {
    get: () => state,
    set(change) {
      const patch = typeof change === 'function' ? change(state) : change
      state = { ...state, ...patch }
      listeners.forEach((listener) => listener())
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** Reads one slice of a store; the component re-renders only when that slice changes. */
export function useStore<T, S>(store: ExternalStore<T>, select: (state: T) => S): S {
  return useSyncExternalStore(store.subscribe, () => select(store.get()))
}
