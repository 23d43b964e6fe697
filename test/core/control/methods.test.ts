import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, rawValues, send } from '../../support/servers'
import { call, startControlled, type ControlledTollgate } from './helpers'

let tollgate: ControlledTollgate
let stop: () => Promise<void>

beforeEach(async () => {
  const started = await startControlled({
    rateLimit: { limit: 3, windowMs: 60_000 },
    cors: { allowedOrigins: ['http://localhost:3000', 'https://app.example/'] },
  })
  tollgate = started.tollgate
  stop = started.stop
})

afterEach(async () => {
  await stop()
})

/** Sends requests through the proxy and waits until the log holds `count` rows. */
async function sendTraffic(headers: string[], times: number, count: number): Promise<void> {
  for (let index = 0; index < times; index++) {
    await send(tollgate.url, { path: `/items/${index}`, headers })
  }
  await eventually(() => tollgate.store.count() === count)
}

describe('control methods over HTTP', () => {
  it('answers status.get with where the proxy runs and how logging goes', async () => {
    const { status, body } = await call(tollgate.control, 'status.get', {})

    expect(status).toBe(200)
    expect(body.proxyUrl).toBe(tollgate.url)
    expect(body.upstream).toBe(tollgate.upstream)
    expect(body.sampleUpstream).toBe(false)
    expect(body.db).toBe(tollgate.dbPath)
    expect(body.logging.writable).toBe(true)
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('lists traffic newest first and pages with the cursor', async () => {
    await sendTraffic([], 3, 3)

    const first = await call(tollgate.control, 'traffic.list', { limit: 2 })
    const second = await call(tollgate.control, 'traffic.list', {
      limit: 2,
      before: first.body.nextCursor,
    })

    expect(first.status).toBe(200)
    expect(first.body.items.map((item) => item.url)).toEqual(['/items/2', '/items/1'])
    expect(second.body.items.map((item) => item.url)).toEqual(['/items/0'])
    expect(second.body.nextCursor).toBeUndefined()
  })

  it('filters traffic by status class', async () => {
    await sendTraffic(['X-API-Key', 'key-filter-1'], 4, 4)

    const { body } = await call(tollgate.control, 'traffic.list', { filter: { status: '4xx' } })

    expect(body.items).toHaveLength(1)
    expect(body.items[0]!.status).toBe(429)
  })

  it('refuses a filter value it cannot apply with 400', async () => {
    const { status, body } = await call(tollgate.control, 'traffic.list', {
      filter: { status: 'teapot' as never },
    })

    expect(status).toBe(400)
    expect(body).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('status') },
    })
  })

  it('answers params over 1 MiB with a 400 that names the limit, instead of a reset', async () => {
    const { status, body } = await call(tollgate.control, 'traffic.list', {
      filter: { text: 'x'.repeat(2 * 1024 * 1024) },
    })

    expect(status).toBe(400)
    expect(body).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('larger than 1048576 bytes') },
    })
  })

  it('gets one exchange with its bodies in base64', async () => {
    await sendTraffic([], 1, 1)
    const id = (await call(tollgate.control, 'traffic.list', {})).body.items[0]!.id

    const { status, body } = await call(tollgate.control, 'traffic.get', { id })

    expect(status).toBe(200)
    expect(body.id).toBe(id)
    expect(Buffer.from(body.responseBodyBase64, 'base64').toString()).toBe('{"ok":true}')
  })

  it('answers traffic.get for an unknown id with 404 NOT_FOUND', async () => {
    const { status, body } = await call(tollgate.control, 'traffic.get', { id: 999_999 })

    expect(status).toBe(404)
    expect(body).toMatchObject({ error: { code: 'NOT_FOUND' } })
  })

  it('clears the traffic log', async () => {
    await sendTraffic([], 2, 2)

    const { status, body } = await call(tollgate.control, 'traffic.clear', {})

    expect(status).toBe(200)
    expect(body).toEqual({ cleared: true })
    expect(tollgate.store.count()).toBe(0)
  })

  it('lists live budgets with the key masked, what remains and what was refused', async () => {
    await sendTraffic(['Authorization', 'Bearer sk_live_budget_00000001'], 5, 5)

    const { status, body } = await call(tollgate.control, 'budgets.list', {})

    expect(status).toBe(200)
    expect(body).toHaveLength(1)
    expect(body[0]).toMatchObject({ keyMasked: 'sk_live_…0001', limit: 3, remaining: 0 })
    expect(body[0]!.refused).toBe(2)
    expect(body[0]!.bucket).toMatch(/^key [0-9a-f]{16}$/)
    expect(JSON.stringify(body)).not.toContain('sk_live_budget_00000001')
  })

  it('lists a budget with the limit of its per-key override', async () => {
    await call(tollgate.control, 'config.update', {
      change: { rateLimit: { perKey: { 'key-override-1': { limit: 10 } } } },
    })
    await sendTraffic(['X-API-Key', 'key-override-1'], 2, 2)

    const { body } = await call(tollgate.control, 'budgets.list', {})

    expect(body).toHaveLength(1)
    expect(body[0]).toMatchObject({ limit: 10, remaining: 8, refused: 0 })
  })

  it('answers budgets.series with one point per request of the bucket', async () => {
    await sendTraffic(['X-API-Key', 'key-series-1'], 4, 4)
    const bucket = (await call(tollgate.control, 'budgets.list', {})).body[0]!.bucket

    const { status, body } = await call(tollgate.control, 'budgets.series', { bucket, sinceMs: 0 })

    expect(status).toBe(200)
    expect(body.map((point) => point.remaining)).toEqual([2, 1, 0, 0])
    expect(body.map((point) => point.limited)).toEqual([false, false, false, true])
  })

  it('answers config.get with the config and advice on each allowlist entry', async () => {
    const { status, body } = await call(tollgate.control, 'config.get', {})

    expect(status).toBe(200)
    expect(body.config.rateLimit.limit).toBe(3)
    expect(body.origins.map((origin) => origin.valid)).toEqual([true, false])
    expect(body.origins[1]!.canonical).toBe('https://app.example')
  })

  it('applies config.update at once: the proxy enforces the new limit', async () => {
    const { status, body } = await call(tollgate.control, 'config.update', {
      change: { rateLimit: { limit: 1 } },
    })
    const first = await send(tollgate.url, { headers: ['X-API-Key', 'key-update-1'] })
    const second = await send(tollgate.url, { headers: ['X-API-Key', 'key-update-1'] })

    expect(status).toBe(200)
    expect(body.config.rateLimit.limit).toBe(1)
    expect(rawValues(first.rawHeaders, 'X-RateLimit-Limit')).toEqual(['1'])
    expect(second.status).toBe(429)
  })

  it('refuses a bad config.update with 400 CONFIG_INVALID naming the field, keeping the old config in force', async () => {
    const { status, body } = await call(tollgate.control, 'config.update', {
      change: { rateLimit: { limit: -5 } },
    })
    const proxied = await send(tollgate.url, { headers: ['X-API-Key', 'key-invalid-1'] })

    expect(status).toBe(400)
    expect(body).toMatchObject({ error: { code: 'CONFIG_INVALID' } })
    expect((body as unknown as { error: { message: string } }).error.message).toContain(
      'rateLimit.limit',
    )
    expect(tollgate.config().rateLimit.limit).toBe(3)
    expect(rawValues(proxied.rawHeaders, 'X-RateLimit-Limit')).toEqual(['3'])
  })

  it('refuses a config.update that would move the listening port', async () => {
    const { status, body } = await call(tollgate.control, 'config.update', {
      change: { listen: { port: 1 } },
    })

    expect(status).toBe(400)
    expect(body).toMatchObject({ error: { code: 'CONFIG_INVALID' } })
    expect(tollgate.config().listen.port).toBe(0)
  })

  it('answers an unknown method with 404 and a GET with 400', async () => {
    const unknown = await call(tollgate.control, 'traffic.delete' as never, {} as never)
    const viaGet = await send(tollgate.control.url, {
      path: '/api/status.get',
      headers: ['Authorization', `Bearer ${tollgate.control.token}`],
    })

    expect(unknown.status).toBe(404)
    expect(viaGet.status).toBe(400)
  })
})
