import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExchangeDetail } from '../../../shared/api'
import { eventually, send } from '../../support/servers'
import { call, startControlled, type ControlledTollgate } from './helpers'

const BEARER_KEY = 'sk_live_4f8a1c2e9b7d9f2c'
const HEADER_KEY = 'pk_test_0a1b2c3d4e5f6789'

describe('API keys in the control API', () => {
  let tollgate: ControlledTollgate
  let stop: () => Promise<void>
  let id: number

  const header = (detail: ExchangeDetail, name: string) =>
    detail.requestHeaders.find(([headerName]) => headerName.toLowerCase() === name)?.[1]

  beforeAll(async () => {
    const started = await startControlled()
    tollgate = started.tollgate
    stop = started.stop
    await send(tollgate.url, {
      path: '/secret',
      headers: ['Authorization', `Bearer ${BEARER_KEY}`, 'X-API-Key', HEADER_KEY],
    })
    await eventually(() => tollgate.store.count() === 1)
    id = tollgate.store.list().items[0]!.id
  })

  afterAll(async () => {
    await stop()
  })

  it('masks the key headers in traffic.get', async () => {
    const { body } = await call(tollgate.control, 'traffic.get', { id })

    expect(header(body, 'authorization')).toBe('Bearer sk_live_…9f2c')
    expect(header(body, 'x-api-key')).toBe('pk_test_…6789')
    expect(JSON.stringify(body)).not.toContain(BEARER_KEY)
    expect(JSON.stringify(body)).not.toContain(HEADER_KEY)
  })

  it('shows the keys in clear in traffic.get when reveal is asked for', async () => {
    const { body } = await call(tollgate.control, 'traffic.get', { id, reveal: true })

    expect(header(body, 'authorization')).toBe(`Bearer ${BEARER_KEY}`)
    expect(header(body, 'x-api-key')).toBe(HEADER_KEY)
  })

  it('masks the key headers in traffic.list', async () => {
    const { body } = await call(tollgate.control, 'traffic.list', {})

    expect(body.items[0]!.keyMasked).toBe('sk_live_…9f2c')
    expect(JSON.stringify(body)).not.toContain(BEARER_KEY)
    expect(JSON.stringify(body)).not.toContain(HEADER_KEY)
  })

  it('keeps old rows masked after keys.headers changes, whichever header carried their key', async () => {
    const customKey = 'ck_test_7e6d5c4b3a291807'
    const defaults = tollgate.config().keys
    tollgate.updateConfig({ keys: { headers: ['X-Custom-Key'] } })
    let list, first
    try {
      await send(tollgate.url, { path: '/custom', headers: ['X-Custom-Key', customKey] })
      await eventually(() => tollgate.store.count() === 2)
      tollgate.updateConfig({ keys: { headers: ['X-Token'] } })
      list = (await call(tollgate.control, 'traffic.list', {})).body
      first = (await call(tollgate.control, 'traffic.get', { id })).body
    } finally {
      tollgate.updateConfig({ keys: defaults })
    }

    expect(list.items).toHaveLength(2)
    for (const key of [BEARER_KEY, HEADER_KEY, customKey]) {
      expect(JSON.stringify(list)).not.toContain(key)
      expect(JSON.stringify(first)).not.toContain(key)
    }
    expect(header(first, 'x-api-key')).toBe('pk_test_…6789')
  })

  it('leaves the stored row untouched', () => {
    const stored = tollgate.store.get(id)!

    expect(stored.requestHeaders).toContainEqual(['Authorization', `Bearer ${BEARER_KEY}`])
  })
})
