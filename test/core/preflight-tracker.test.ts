import { describe, expect, it } from 'vitest'

import {
  PreflightTracker,
  preflightCacheSeconds,
  type ActualRequestKey,
  type PreflightRecord,
} from '../../electron/core/preflight-tracker'

const ORIGIN = 'https://app.example.com'
const T0 = 1_700_000_000_000

function preflight(overrides: Partial<PreflightRecord> = {}): PreflightRecord {
  return {
    id: 1,
    origin: ORIGIN,
    url: '/items',
    time: T0,
    passed: true,
    maxAgeSeconds: 600,
    method: 'PUT',
    headers: ['content-type'],
    ...overrides,
  }
}

/** A PUT to /items from ORIGIN at `time`, with the headers that need a preflight. */
function putAt(time: number, headers?: string[]): ActualRequestKey {
  return { origin: ORIGIN, url: '/items', method: 'PUT', time, ...(headers && { headers }) }
}

describe('PreflightTracker', () => {
  it('pairs the first actual request with the preflight before it', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ id: 7 }))

    const match = tracker.matchActual(putAt(T0 + 5))

    expect(match).toEqual({ source: 'logged', exchangeId: 7, passed: true })
  })

  it('pairs a refused preflight too, so the verdict can say it was refused', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ id: 8, passed: false }))

    const match = tracker.matchActual(putAt(T0 + 5))

    expect(match).toEqual({ source: 'logged', exchangeId: 8, passed: false })
  })

  it('pairs a request with the preflight that passed, not an older refused one left unpaired', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ id: 178, passed: false, headers: ['x-demo-trace'] }))
    tracker.recordPreflight(preflight({ id: 186, time: T0 + 30_000 }))

    const match = tracker.matchActual(putAt(T0 + 30_005))

    expect(match).toEqual({ source: 'logged', exchangeId: 186, passed: true })
  })

  it('pairs a request sent on a cached approval with it, and one needing more with the later refusal', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ id: 10 }))
    tracker.matchActual(putAt(T0 + 5))
    tracker.recordPreflight(
      preflight({ id: 11, time: T0 + 1000, passed: false, headers: ['x-new'] }),
    )

    const onApproval = tracker.matchActual(putAt(T0 + 2000, ['content-type']))
    const withNewHeader = tracker.matchActual(putAt(T0 + 2001, ['content-type', 'x-new']))

    expect(onApproval).toEqual({ source: 'browser-cache', exchangeId: 10, passed: true })
    expect(withNewHeader).toEqual({ source: 'logged', exchangeId: 11, passed: false })
  })

  it('serves later requests from the browser cache within max-age', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ id: 7 }))
    tracker.matchActual(putAt(T0 + 5))

    const inside = tracker.matchActual(putAt(T0 + 599_999))
    const after = tracker.matchActual(putAt(T0 + 600_000))

    expect(inside).toEqual({ source: 'browser-cache', exchangeId: 7, passed: true })
    expect(after).toEqual({ source: 'missing' })
  })

  it('caches for 5 s when no Max-Age was sent', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ maxAgeSeconds: undefined }))
    tracker.matchActual({ origin: ORIGIN, url: '/items', method: 'PUT', time: T0 })

    const inside = tracker.matchActual(putAt(T0 + 4_999))
    const after = tracker.matchActual(putAt(T0 + 5_000))

    expect(inside.source).toBe('browser-cache')
    expect(after.source).toBe('missing')
  })

  it('never serves a refused preflight from the cache', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ passed: false }))
    tracker.matchActual({ origin: ORIGIN, url: '/items', method: 'PUT', time: T0 + 1 })

    const match = tracker.matchActual(putAt(T0 + 2))

    expect(match).toEqual({ source: 'missing' })
  })

  it('keeps origins, URLs and methods apart', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight())

    const otherOrigin = tracker.matchActual({
      origin: 'http://localhost:5173',
      url: '/items',
      method: 'PUT',
      time: T0 + 1,
    })
    const otherUrl = tracker.matchActual({
      origin: ORIGIN,
      url: '/other',
      method: 'PUT',
      time: T0 + 1,
    })
    const otherMethod = tracker.matchActual({
      origin: ORIGIN,
      url: '/items',
      method: 'DELETE',
      time: T0 + 1,
    })

    expect([otherOrigin, otherUrl, otherMethod]).toEqual([
      { source: 'missing' },
      { source: 'missing' },
      { source: 'missing' },
    ])
  })

  it('pairs concurrent preflights with their requests in order', () => {
    const tracker = new PreflightTracker()
    tracker.recordPreflight(preflight({ id: 1, maxAgeSeconds: 0 }))
    tracker.recordPreflight(preflight({ id: 2, maxAgeSeconds: 0, time: T0 + 1 }))

    const first = tracker.matchActual(putAt(T0 + 2))
    const second = tracker.matchActual(putAt(T0 + 3))
    const third = tracker.matchActual(putAt(T0 + 4))

    expect([first, second, third]).toEqual([
      { source: 'logged', exchangeId: 1, passed: true },
      { source: 'logged', exchangeId: 2, passed: true },
      { source: 'missing' },
    ])
  })

  it('forgets expired preflights and stays under its size cap', () => {
    const tracker = new PreflightTracker({ pairingWindowMs: 1_000, maxEntries: 50 })

    for (let i = 0; i < 200; i++) {
      tracker.recordPreflight(
        preflight({ id: i, url: `/items/${i}`, maxAgeSeconds: 0, time: T0 + i }),
      )
    }

    expect(tracker.size).toBe(50)
    expect(
      tracker.matchActual({ origin: ORIGIN, url: '/items/0', method: 'PUT', time: T0 + 200 }),
    ).toEqual({ source: 'missing' })
    expect(
      tracker.matchActual({ origin: ORIGIN, url: '/items/199', method: 'PUT', time: T0 + 200 }),
    ).toEqual({ source: 'logged', exchangeId: 199, passed: true })
  })

  it('drops a pending preflight once its pairing window has passed', () => {
    const tracker = new PreflightTracker({ pairingWindowMs: 1_000 })
    tracker.recordPreflight(preflight({ maxAgeSeconds: 0 }))

    const match = tracker.matchActual(putAt(T0 + 1_000))

    expect(match).toEqual({ source: 'missing' })
    expect(tracker.size).toBe(0)
  })
})

describe('preflightCacheSeconds', () => {
  it('defaults to 5 s and caps at 7200 s', () => {
    expect(preflightCacheSeconds(undefined)).toBe(5)
    expect(preflightCacheSeconds(86_400)).toBe(7200)
    expect(preflightCacheSeconds(0)).toBe(0)
  })
})
