import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acceptedHosts, checkRequestSource, tokensMatch } from '../../../electron/core/control/auth'
import { callRaw, openEvents, startControlled, type ControlledTollgate } from './helpers'

describe('token and source checks', () => {
  it('matches only the exact token', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true)
    expect(tokensMatch('abd', 'abc')).toBe(false)
    expect(tokensMatch('abcd', 'abc')).toBe(false)
    expect(tokensMatch(undefined, 'abc')).toBe(false)
    expect(tokensMatch('', '')).toBe(false)
  })

  it('accepts each loopback name for the served port and nothing else', () => {
    const hosts = acceptedHosts('127.0.0.1', 4000)

    expect(checkRequestSource({ host: '127.0.0.1:4000' }, hosts)).toBeUndefined()
    expect(checkRequestSource({ host: 'LOCALHOST:4000' }, hosts)).toBeUndefined()
    expect(checkRequestSource({ host: '[::1]:4000' }, hosts)).toBeUndefined()
    expect(checkRequestSource({ host: '127.0.0.1:4001' }, hosts)?.code).toBe('FORBIDDEN')
    expect(checkRequestSource({ host: '127.0.0.1' }, hosts)?.code).toBe('FORBIDDEN')
    expect(checkRequestSource({}, hosts)?.code).toBe('FORBIDDEN')
  })

  it('accepts the server own origin only', () => {
    const hosts = acceptedHosts('127.0.0.1', 4000)
    const from = (origin: string) => checkRequestSource({ host: 'localhost:4000', origin }, hosts)

    expect(from('http://localhost:4000')).toBeUndefined()
    expect(from('http://127.0.0.1:4000')?.code).toBe('FORBIDDEN')
    expect(from('null')?.code).toBe('FORBIDDEN')
    expect(from('http://localhost:3000')?.code).toBe('FORBIDDEN')
  })

  it('accepts an origin it was told about, such as the UI dev server, and no other', () => {
    const hosts = acceptedHosts('127.0.0.1', 4000)
    const devServer = ['http://localhost:5173']

    const fromDevServer = { host: '127.0.0.1:4000', origin: 'http://localhost:5173' }
    const fromElsewhere = { host: '127.0.0.1:4000', origin: 'http://localhost:5174' }

    expect(checkRequestSource(fromDevServer, hosts, devServer)).toBeUndefined()
    expect(checkRequestSource(fromDevServer, hosts)?.code).toBe('FORBIDDEN')
    expect(checkRequestSource(fromElsewhere, hosts, devServer)?.code).toBe('FORBIDDEN')
  })
})

describe('refusals over the wire', () => {
  let tollgate: ControlledTollgate
  let stop: () => Promise<void>
  let token: string

  beforeAll(async () => {
    const started = await startControlled()
    tollgate = started.tollgate
    stop = started.stop
    token = tollgate.control.token
  })

  afterAll(async () => {
    await stop()
  })

  const status = async (headers: string[]) =>
    (await callRaw(tollgate.control.url, 'status.get', {}, headers)).status

  it('answers a call without a token with 401', async () => {
    const { status, body } = await callRaw(tollgate.control.url, 'status.get', {}, [])

    expect(status).toBe(401)
    expect(body).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
  })

  it('answers a call with a wrong token with 401', async () => {
    expect(await status(['Authorization', `Bearer ${token.slice(0, -1)}x`])).toBe(401)
    expect(await status(['Authorization', `Basic ${token}`])).toBe(401)
  })

  it('answers a call with the token and a foreign Host with 403', async () => {
    const headers = ['Host', 'attacker.example', 'Authorization', `Bearer ${token}`]

    const { status, body } = await callRaw(tollgate.control.url, 'status.get', {}, headers)

    expect(status).toBe(403)
    expect(body).toMatchObject({ error: { code: 'FORBIDDEN' } })
  })

  it('answers a call with the token from another origin with 403', async () => {
    expect(await status(['Origin', 'http://evil.test', 'Authorization', `Bearer ${token}`])).toBe(
      403,
    )
  })

  it('accepts a call from the UI own origin', async () => {
    const origin = tollgate.control.url

    expect(await status(['Origin', origin, 'Authorization', `Bearer ${token}`])).toBe(200)
  })

  it('refuses an events socket without a token, or with a wrong one, with 401', async () => {
    await expect(openEvents(tollgate.control, { token: null })).rejects.toMatchObject({
      statusCode: 401,
    })
    await expect(openEvents(tollgate.control, { token: 'wrong' })).rejects.toMatchObject({
      statusCode: 401,
    })
  })

  it('refuses an events socket with a foreign Host or Origin with 403, even with the token', async () => {
    await expect(openEvents(tollgate.control, { host: 'attacker.example' })).rejects.toMatchObject({
      statusCode: 403,
    })
    await expect(
      openEvents(tollgate.control, { origin: 'http://evil.test' }),
    ).rejects.toMatchObject({ statusCode: 403 })
  })

  it('opens an events socket with the token from the UI own origin', async () => {
    const events = await openEvents(tollgate.control, { origin: tollgate.control.url })

    expect(events.socket.readyState).toBe(events.socket.OPEN)
    events.close()
  })
})
