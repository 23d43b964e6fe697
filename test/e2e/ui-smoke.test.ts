import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBrowser, watchConsole, type ConsoleLog, type TestBrowser } from '../support/browser'
import { send, startServer, startTollgate, type TestServer } from '../support/servers'

/**
 * The UI in headless Chromium, served by a real Tollgate's control API: traffic sent through
 * the proxy must show up in the table live, without a reload.
 */

const RENDERER_DIR = path.resolve('out/renderer')
const LIMITED_KEY = 'sk_test_limited_0123456789'
const APP_ORIGIN = 'http://localhost:3000'

describe('the inspector UI', () => {
  let upstream: TestServer
  let tollgate: Awaited<ReturnType<typeof startTollgate>>
  let browser: TestBrowser
  let page: Page
  let consoleLog: ConsoleLog

  beforeAll(async () => {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      throw new Error('The UI is not built: run `npx electron-vite build` (npm test does it).')
    }
    upstream = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ path: req.url, ok: true }))
    })
    tollgate = await startTollgate({
      upstream: upstream.url,
      control: { rendererDir: RENDERER_DIR },
      rateLimit: { perKey: { [LIMITED_KEY]: { limit: 2 } } },
      cors: { allowedOrigins: [APP_ORIGIN] },
    })
    browser = await startBrowser()
    page = await browser.newPage()
    consoleLog = watchConsole(page)
  })

  afterAll(async () => {
    await browser?.close()
    await tollgate?.stop()
    await upstream?.close()
  })

  const sendThrough = (urlPath: string, headers: string[] = []) =>
    send(tollgate.url, { path: urlPath, headers })
  const row = (text: string) => page.getByRole('row').filter({ hasText: text })

  it('opens on an empty state that names the proxy URL, and drops the token from the address', async () => {
    await page.goto(tollgate.control!.uiUrl)

    await page.getByRole('heading', { name: 'No traffic yet' }).waitFor()
    await expect(page.getByText(tollgate.url).first().isVisible()).resolves.toBe(true)
    expect(page.url()).not.toContain('token=')
  })

  it('shows requests sent through the proxy as they happen', async () => {
    await sendThrough('/widgets/1', ['Authorization', 'Bearer sk_live_smoke_abcdef123456'])
    await sendThrough('/widgets/2', ['Origin', APP_ORIGIN])
    await sendThrough('/widgets/3', ['Origin', 'http://localhost:5173'])
    for (const attempt of [1, 2, 3]) {
      await sendThrough(`/limited/${attempt}`, ['X-API-Key', LIMITED_KEY])
    }

    await row('/limited/3').waitFor({ timeout: 5000 })
    await expect(row('/widgets/1').getByText('sk_live_…3456').isVisible()).resolves.toBe(true)
    await expect(row('/widgets/2').getByText('allowed').isVisible()).resolves.toBe(true)
    await expect(row('/widgets/3').getByText('origin not allowed').isVisible()).resolves.toBe(true)
    await expect(row('/limited/3').getByText('429', { exact: true }).isVisible()).resolves.toBe(
      true,
    )
    await expect(row('/limited/2').getByText('200', { exact: true }).isVisible()).resolves.toBe(
      true,
    )
    fs.mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: 'test-results/ui-traffic.png' })
  })

  it('explains a blocked request in the detail panel, with its fix', async () => {
    await row('/widgets/3').click()

    const detail = page.getByRole('complementary')
    await detail.getByRole('heading', { name: 'CORS verdict' }).waitFor()
    await expect(detail.getByText('Blocked: the browser hides').isVisible()).resolves.toBe(true)
    await expect(detail.getByText(/^Fix:/).first().isVisible()).resolves.toBe(true)
    await expect(
      detail
        .getByText(/http:\/\/localhost:5173/)
        .first()
        .isVisible(),
    ).resolves.toBe(true)
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
  })

  it('holds new rows while paused and shows them on resume', async () => {
    await page.getByRole('button', { name: 'Pause' }).click()
    await sendThrough('/while-paused')

    await page.getByRole('button', { name: 'Resume (1 new)' }).waitFor({ timeout: 5000 })
    expect(await row('/while-paused').count()).toBe(0)
    await page.getByRole('button', { name: /^Resume/ }).click()
    await row('/while-paused').waitFor({ timeout: 5000 })
  })

  it('logs no script errors', () => {
    expect(consoleLog.errors).toEqual([])
  })
})
