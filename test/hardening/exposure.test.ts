import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { controlHostFor } from '../../electron/core/control/control-server'
import { createTollgate } from '../../electron/core/tollgate'
import { callRaw, openEvents, writeFakeRenderer } from '../core/control/helpers'
import { makeRecordingLogger } from '../core/store/helpers'
import { rawValues, send, startServer, tempDir, type TestServer } from '../support/servers'

let upstream: TestServer
let renderer: ReturnType<typeof writeFakeRenderer>
let temp: ReturnType<typeof tempDir>

beforeAll(async () => {
  upstream = await startServer((_req, res) => res.end('ok'))
  renderer = writeFakeRenderer()
  temp = tempDir()
})

afterAll(async () => {
  await upstream.close()
  renderer.remove()
  temp.remove()
})

describe('where Tollgate listens', () => {
  it('binds the proxy and the control API to 127.0.0.1 when no host is given', async () => {
    const tollgate = await createTollgate({
      listen: { port: 0 },
      upstream: upstream.url,
      db: path.join(temp.dir, 'defaults.db'),
      logger: makeRecordingLogger(),
      control: { rendererDir: renderer.dir },
    })
    const proxy = new URL(tollgate.url)
    const control = new URL(tollgate.control!.url)
    await tollgate.close()

    expect(proxy.hostname).toBe('127.0.0.1')
    expect(control.hostname).toBe('127.0.0.1')
  })

  it('keeps the control API on loopback whatever address the proxy is given', () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'tollgate.example']) {
      expect(controlHostFor(host)).toBe('127.0.0.1')
    }
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(controlHostFor(host)).toBe(host)
  })

  it('warns at start, before binding, when the proxy is to listen beyond loopback', async () => {
    const logger = makeRecordingLogger()

    // 192.0.2.0/24 is reserved for documentation: no machine has it, so binding fails locally
    // and nothing is ever exposed, yet the warning must already be out.
    const failed = await createTollgate({
      listen: { host: '192.0.2.10', port: 0 },
      upstream: upstream.url,
      db: path.join(temp.dir, 'exposed.db'),
      logger,
    }).catch((error: Error) => error)

    expect(failed).toBeInstanceOf(Error)
    const warning = logger.lines.find(
      (line) => line.startsWith('warn') && line.includes('listen.host'),
    )
    expect(warning).toContain('192.0.2.10')
    expect(warning).toContain('127.0.0.1')
  })
})

describe('the control API against pages of other sites', () => {
  let tollgate: Awaited<ReturnType<typeof createTollgate>>
  let control: { url: string; token: string; port: number }

  beforeAll(async () => {
    tollgate = await createTollgate({
      listen: { port: 0 },
      upstream: upstream.url,
      db: path.join(temp.dir, 'control.db'),
      logger: makeRecordingLogger(),
      control: { rendererDir: renderer.dir },
    })
    control = { ...tollgate.control!, port: Number(new URL(tollgate.control!.url).port) }
  })

  afterAll(async () => {
    await tollgate.close()
  })

  const withToken = () => ['Authorization', `Bearer ${control.token}`]

  it.each([
    ['a rebound name on the right port', (port: number) => `rebind.attacker.example:${port}`],
    ['a loopback name with a trailing dot', (port: number) => `localhost.:${port}`],
    ['a name that starts like loopback', (port: number) => `127.0.0.1.attacker.example:${port}`],
    ['the right name on another port', (port: number) => `127.0.0.1:${port + 1}`],
  ])(
    'refuses %s in Host with 403, for the API, the UI and the events socket',
    async (_name, host) => {
      const hostLine = host(control.port)

      const api = await callRaw(control.url, 'status.get', {}, ['Host', hostLine, ...withToken()])
      const page = await send(control.url, { path: '/', headers: ['Host', hostLine] })
      const events = await openEvents(control, { host: hostLine }).catch((error) => error)

      expect(api.status).toBe(403)
      expect(page.status).toBe(403)
      expect(page.body.toString()).not.toContain('<title>')
      expect(events).toMatchObject({ statusCode: 403 })
    },
  )

  it.each([
    ['an opaque origin', 'null'],
    ['another site', 'http://attacker.example'],
    ['a look-alike of the UI origin', 'http://127.0.0.1:PORT.attacker.example'],
    ['the UI origin over https', 'https://127.0.0.1:PORT'],
  ])('refuses a call from %s with 403 even with the token', async (_name, origin) => {
    const headers = ['Origin', origin.replace('PORT', String(control.port)), ...withToken()]

    const { status, body } = await callRaw(control.url, 'status.get', {}, headers)

    expect(status).toBe(403)
    expect(body.error.code).toBe('FORBIDDEN')
  })

  it('answers a cross-origin preflight with no CORS grant', async () => {
    const response = await send(control.url, {
      method: 'OPTIONS',
      path: '/api/config.update',
      headers: [
        'Origin',
        'http://attacker.example',
        'Access-Control-Request-Method',
        'POST',
        'Access-Control-Request-Headers',
        'authorization, content-type',
      ],
    })

    expect(response.status).toBe(403)
    expect(rawValues(response.rawHeaders, 'access-control-allow-origin')).toEqual([])
  })

  it('refuses a form-style cross-site POST that carries no token, and changes nothing', async () => {
    const before = tollgate.config().rateLimit.limit
    const response = await send(control.url, {
      method: 'POST',
      path: '/api/config.update',
      headers: ['Content-Type', 'text/plain', 'Origin', 'http://attacker.example'],
      body: JSON.stringify({ change: { rateLimit: { limit: 1 } } }),
    })

    expect(response.status).toBe(403)
    expect(tollgate.config().rateLimit.limit).toBe(before)
  })

  it('does not take the token from the query string of an API call', async () => {
    const response = await send(control.url, {
      method: 'POST',
      path: `/api/status.get?token=${control.token}`,
      headers: ['Content-Type', 'application/json'],
      body: '{}',
    })

    expect(response.status).toBe(401)
  })
})
