import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawValues, send, sendRaw } from '../../support/servers'
import { callRaw, startControlled, writeFakeRenderer, type ControlledTollgate } from './helpers'

describe('the UI served by the control server', () => {
  let tollgate: ControlledTollgate
  let stop: () => Promise<void>
  let renderer: ReturnType<typeof writeFakeRenderer>

  beforeAll(async () => {
    renderer = writeFakeRenderer()
    const started = await startControlled({ control: { rendererDir: renderer.dir } })
    tollgate = started.tollgate
    stop = started.stop
  })

  afterAll(async () => {
    await stop()
    renderer.remove()
  })

  it('serves index.html at / without a token, with a strict Content-Security-Policy', async () => {
    const response = await send(tollgate.control.url, { path: '/' })
    const host = new URL(tollgate.control.url).host

    expect(response.status).toBe(200)
    expect(rawValues(response.rawHeaders, 'Content-Type')).toEqual(['text/html; charset=utf-8'])
    expect(response.body.toString()).toContain('<title>Tollgate</title>')
    expect(rawValues(response.rawHeaders, 'Content-Security-Policy')).toEqual([
      `default-src 'self'; connect-src 'self' ws://${host}; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'`,
    ])
  })

  it('serves assets with their content types', async () => {
    const script = await send(tollgate.control.url, { path: '/assets/index-abc123.js' })
    const style = await send(tollgate.control.url, { path: '/assets/index-abc123.css' })

    expect(script.status).toBe(200)
    expect(rawValues(script.rawHeaders, 'Content-Type')).toEqual(['text/javascript; charset=utf-8'])
    expect(rawValues(style.rawHeaders, 'Content-Type')).toEqual(['text/css; charset=utf-8'])
    expect(rawValues(script.rawHeaders, 'Content-Security-Policy')).toEqual([])
  })

  it('answers a missing file with 404', async () => {
    const response = await send(tollgate.control.url, { path: '/assets/missing.js' })

    expect(response.status).toBe(404)
  })

  it('answers a path that climbs out of the folder with 404, however it is spelled', async () => {
    const { host, port } = new URL(tollgate.control.url)
    const attempts = ['/../package.json', '/assets/../../package.json', '/%2e%2e/package.json']

    for (const attempt of attempts) {
      const answer = await sendRaw(
        Number(port),
        `GET ${attempt} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      )

      expect(answer, attempt).toMatch(/^HTTP\/1\.1 404 /)
      expect(answer, attempt).not.toContain('outside the renderer')
    }
  })

  it('still asks for the token under /api', async () => {
    const { status } = await callRaw(tollgate.control.url, 'status.get', {}, [])

    expect(status).toBe(401)
  })

  it('refuses the UI to a foreign Host with 403', async () => {
    const response = await send(tollgate.control.url, {
      path: '/',
      headers: ['Host', 'attacker.example'],
    })

    expect(response.status).toBe(403)
  })
})
