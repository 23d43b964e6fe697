import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { withoutDemoOrigin } from '../../../electron/core/demo'
import { rawValues, send, tempDir } from '../../support/servers'
import { call, startControlled } from '../control/helpers'

const stops: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!()
})

/** A Tollgate with control API and demo pages on, settings saved in a temp folder. */
async function startWithDemo() {
  const temp = tempDir()
  const settingsPath = path.join(temp.dir, 'settings.json')
  const started = await startControlled({ demo: true, settingsPath })
  stops.push(temp.remove, started.stop)
  return { ...started, settingsPath }
}

describe('the demo pages', () => {
  it("allow the first page's origin for the run and leave the second off the list", async () => {
    const { tollgate } = await startWithDemo()

    const allowed = new URL(tollgate.demo!.allowedUrl).origin
    const blocked = new URL(tollgate.demo!.blockedUrl).origin

    expect(tollgate.config().cors.allowedOrigins).toEqual(['http://localhost:3000', allowed])
    expect(blocked).not.toBe(allowed)
    expect(new URL(allowed).hostname).toBe('127.0.0.1')
    expect(new URL(blocked).hostname).toBe('127.0.0.1')
  })

  it('serve a page whose policy pins its inline script and lets it reach the proxy only', async () => {
    const { tollgate } = await startWithDemo()

    const page = await send(tollgate.demo!.allowedUrl)

    expect(page.status).toBe(200)
    const policy = rawValues(page.rawHeaders, 'content-security-policy')[0]!
    const html = page.body.toString()
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!
    const hash = createHash('sha256').update(script).digest('base64')
    expect(policy).toContain(`script-src 'sha256-${hash}'`)
    expect(policy).toContain(`connect-src ${tollgate.url}`)
    expect(policy).toContain("default-src 'none'")
    expect(html).toContain(`href="${tollgate.demo!.blockedUrl}"`)
  })

  it('answer 404 outside the page and stop listening when Tollgate closes', async () => {
    const { tollgate, stop } = await startWithDemo()
    const { allowedUrl, blockedUrl } = tollgate.demo!

    const missing = await send(allowedUrl, { path: '/secrets' })
    await stop()

    expect(missing.status).toBe(404)
    await expect(send(allowedUrl)).rejects.toThrow(/ECONNREFUSED/)
    await expect(send(blockedUrl)).rejects.toThrow(/ECONNREFUSED/)
  })

  it("keep the run's origin out of the saved settings when the rules are saved", async () => {
    const { tollgate, settingsPath } = await startWithDemo()
    const allowed = new URL(tollgate.demo!.allowedUrl).origin
    const origins = ['http://localhost:3000', allowed, 'http://localhost:5173']

    const result = await call(tollgate.control, 'config.update', {
      change: { cors: { allowedOrigins: origins } },
    })

    expect(result.status).toBe(200)
    expect(tollgate.config().cors.allowedOrigins).toEqual(origins)
    const saved = JSON.parse(fs.readFileSync(settingsPath, 'utf8'))
    expect(saved.cors.allowedOrigins).toEqual(['http://localhost:3000', 'http://localhost:5173'])
  })

  it('are named in the status the UI reads', async () => {
    const { tollgate } = await startWithDemo()

    const status = await call(tollgate.control, 'status.get', {})

    expect(status.body.demo).toEqual(tollgate.demo)
  })
})

describe('withoutDemoOrigin', () => {
  it('leaves a change without the demo origin untouched', () => {
    const change = { cors: { allowedOrigins: ['http://localhost:3000'] }, rateLimit: { limit: 5 } }

    expect(withoutDemoOrigin(change, 'http://127.0.0.1:4000')).toBe(change)
    expect(withoutDemoOrigin(change, undefined)).toBe(change)
  })
})
