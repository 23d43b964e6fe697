import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maskKey } from '../../shared/keys'
import { DEMO_API_KEY } from '../../electron/core/demo'
import { startBrowser, watchConsole, type ConsoleLog, type TestBrowser } from '../support/browser'
import { importHar } from '../../electron/core/har'
import { makeEntry, writeHar } from '../core/har/har-fixtures'
import { startServer, startTollgate, tempDir, type TestServer } from '../support/servers'

/**
 * The inspector in headless Chromium, fed by the demo page: a real Tollgate (control API and demo
 * pages on) in front of a mock upstream, the demo page making real cross-origin calls, and the
 * UI showing, explaining and fixing what the browser did with them.
 */

const RENDERER_DIR = path.resolve('out/renderer')
const SESSION_BODY = { user: 'ada', roles: ['admin', 'billing'], note: 'sent gzip-compressed' }
const SESSION_COOKIES = [
  'session=4f2a91; Path=/; HttpOnly',
  'theme=dark; Path=/',
  'consent=yes; Path=/; Max-Age=3600',
]

describe('the inspector with the demo page', () => {
  let upstream: TestServer
  let tollgate: Awaited<ReturnType<typeof startTollgate>>
  let browser: TestBrowser
  let ui: Page
  let demo: Page
  let uiConsole: ConsoleLog
  let blockedOrigin: string
  const temp = tempDir()
  const tollgateDir = temp.dir

  beforeAll(async () => {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      throw new Error('The UI is not built: run `npx electron-vite build` (npm test does it).')
    }
    upstream = await startServer((req, res) => {
      if (req.url === '/session') {
        res.setHeader('Set-Cookie', SESSION_COOKIES)
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
        res.end(zlib.gzipSync(JSON.stringify(SESSION_BODY)))
        return
      }
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ path: req.url, items: [1, 2, 3] }))
    })
    tollgate = await startTollgate({
      upstream: upstream.url,
      control: { rendererDir: RENDERER_DIR },
      demo: true,
    })
    blockedOrigin = new URL(tollgate.demo!.blockedUrl).origin
    fs.mkdirSync('test-results', { recursive: true })

    browser = await startBrowser()
    const uiContext = await browser.newContext()
    ui = await uiContext.newPage()
    await ui.setViewportSize({ width: 1440, height: 860 })
    uiConsole = watchConsole(ui)
    demo = await browser.newPage()
  })

  afterAll(async () => {
    await browser?.close()
    await tollgate?.stop()
    await upstream?.close()
    temp.remove()
  })

  /** Clicks a demo button and resolves with the result the page shows once the call is done. */
  const press = async (action: string) => {
    const output = demo.locator(`#result-${action}`)
    await demo.locator(`button[data-action="${action}"]`).click()
    await demo.locator(`button[data-action="${action}"]:enabled`).waitFor()
    return output.textContent()
  }
  const rows = () => ui.getByRole('grid', { name: 'Traffic' }).getByRole('row')
  const detail = () => ui.getByRole('complementary')
  const shoot = (name: string) => ui.screenshot({ path: `test-results/ui-e2e-${name}.png` })

  it('shows traffic fired from the demo page in the table as it happens', async () => {
    await ui.goto(tollgate.control!.uiUrl)
    await ui.getByRole('heading', { name: 'No traffic yet' }).waitFor()
    const demoLink = ui.getByRole('link', { name: 'demo page' })
    await expect(demoLink.getAttribute('href')).resolves.toBe(tollgate.demo!.allowedUrl)

    await demo.goto(tollgate.demo!.allowedUrl)
    const simple = await press('simple')
    const keyed = await press('keyed')

    expect(simple).toMatch(/^200 · X-RateLimit-Remaining: \d+$/)
    expect(keyed).toBe('200 · X-RateLimit-Remaining: 59')
    const keyedRow = rows().filter({ hasText: maskKey(DEMO_API_KEY) })
    await keyedRow.waitFor()
    await expect(keyedRow.getByText('allowed').isVisible()).resolves.toBe(true)
    await expect(rows().filter({ hasText: 'preflight' }).count()).resolves.toBe(1)
    await expect(rows().filter({ hasText: 'anonymous' }).count()).resolves.toBe(1)
    await shoot('live')
  })

  it('shows Remaining falling on the budget chart and 429 badges after a burst', async () => {
    const burst = await press('burst')

    expect(burst).toMatch(/^70 sent: 59 × 200, 11 × 429 · last 429 · X-RateLimit-Remaining: 0/)
    const limited = ui.getByTitle("429: refused by Tollgate's rate limit")
    await limited.nth(10).waitFor()
    await shoot('burst-traffic')

    await ui.getByRole('tab', { name: 'Budgets' }).click()
    const card = ui.getByRole('article', { name: `Budget of ${maskKey(DEMO_API_KEY)}` })
    await card.locator('[role="meter"][aria-valuenow="0"]').waitFor()
    await expect(card.locator('.budget-remaining').textContent()).resolves.toBe('0 / 60')
    await expect(card.getByText('Locked out · reset in').isVisible()).resolves.toBe(true)
    const chart = card.getByRole('img', { name: 'Remaining requests over time' })
    await expect(chart.locator('canvas').count()).resolves.toBe(1)
    await card.screenshot({ path: 'test-results/ui-e2e-budget-card.png' })
    await shoot('budget')
    await ui.getByRole('tab', { name: 'Traffic' }).click()
  })

  it('explains the custom header and the credentialed call the browser blocks', async () => {
    const header = await press('header')
    const credentials = await press('credentials')

    expect(header).toMatch(/^CORS error/)
    expect(credentials).toMatch(/^CORS error/)
    await demo.screenshot({ path: 'test-results/ui-e2e-demo-page.png', fullPage: true })
    await rows().getByText('credentials not allowed').waitFor()
    const refused = rows().filter({ hasText: 'preflight refused' })
    await refused.click()
    await detail().getByText('X-Demo-Trace').first().waitFor()
    await expect(detail().locator('.finding-rule').first().textContent()).resolves.toBe(
      'preflight refused',
    )
    await shoot('header-detail')
    await ui.keyboard.press('Escape')
  })

  it('names the rule that blocks a request from the origin not on the allowlist', async () => {
    await demo.getByRole('link', { name: /origin not on the allowlist/ }).click()
    await demo.waitForURL(tollgate.demo!.blockedUrl)
    const simple = await press('simple')
    const keyed = await press('keyed')

    expect(simple).toMatch(/^CORS error/)
    expect(keyed).toMatch(/^CORS error/)
    const blocked = rows().filter({ hasText: blockedOrigin }).filter({ hasText: 'anonymous' })
    await blocked.getByText('origin not allowed').waitFor()
    const refused = rows().filter({ hasText: blockedOrigin }).filter({ hasText: 'preflight' })
    await refused.getByText('preflight refused').waitFor()
    // The picture the README shows: no hover or focus ring on any row.
    await ui.mouse.move(0, 0)
    await ui.evaluate('document.activeElement?.blur()')
    await shoot('mixed')

    await blocked.click()
    await detail().getByRole('heading', { name: 'CORS verdict' }).waitFor()
    await expect(detail().locator('.finding-rule').first().textContent()).resolves.toBe(
      'origin not allowed',
    )
    await expect(
      detail().getByText('Blocked: the browser hides this response from script.').isVisible(),
    ).resolves.toBe(true)
    await expect(detail().getByText(blockedOrigin).first().isVisible()).resolves.toBe(true)
    await shoot('blocked-detail')
    await ui.keyboard.press('Escape')
  })

  it('lets the next request from that origin through once it is added under Rules', async () => {
    await ui.getByRole('tab', { name: 'Rules' }).click()
    await ui.getByLabel('New allowed origin').fill(blockedOrigin)
    await ui.getByRole('button', { name: 'Add origin' }).click()
    await ui.getByRole('button', { name: 'Save' }).click()
    await ui.getByText('Saved; in force now.').waitFor()
    await shoot('rules-saved')

    const simple = await press('simple')

    expect(simple).toMatch(/^200 · X-RateLimit-Remaining: \d+$/)
    await ui.getByRole('tab', { name: 'Traffic' }).click()
    const newest = rows().nth(1)
    await expect(newest.textContent()).resolves.toContain(blockedOrigin)
    await newest.getByText('allowed').waitFor()
    await newest.click()
    await detail().getByText('Allowed: script on the page can read this response.').waitFor()
    await shoot('allowed-detail')
    await ui.keyboard.press('Escape')
  })

  it('flags an entry with a trailing slash and offers the form browsers send', async () => {
    await ui.getByRole('tab', { name: 'Rules' }).click()
    const entry = ui.getByLabel('New allowed origin')

    await entry.fill('http://localhost:5173/')

    const fix = ui.getByRole('button', { name: 'Use http://localhost:5173' })
    await fix.waitFor()
    await expect(ui.getByText('never matches').first().isVisible()).resolves.toBe(true)
    await shoot('rules-flagged')
    await fix.click()
    await expect(entry.inputValue()).resolves.toBe('http://localhost:5173')
    await entry.fill('')
    await ui.getByRole('tab', { name: 'Traffic' }).click()
  })

  it('shows three Set-Cookie lines and the gzip body decoded in the detail', async () => {
    await demo.locator('#path').fill('/session')

    await expect(press('simple')).resolves.toMatch(/^200/)

    const row = rows().filter({ hasText: '/session' })
    await row.click()
    await detail().getByRole('tab', { name: 'Response' }).click()
    const cookies = detail().getByRole('rowheader', { name: 'Set-Cookie', exact: true })
    await cookies.first().waitFor()
    await expect(cookies.count()).resolves.toBe(3)
    const values = await cookies.evaluateAll((cells) =>
      cells.map((cell) => cell.nextElementSibling?.textContent),
    )
    expect(values).toEqual(SESSION_COOKIES)
    await detail().getByText('decoded from gzip').waitFor()
    const body = await detail().locator('pre.code').textContent()
    expect(JSON.parse(body ?? '')).toEqual(SESSION_BODY)
    await shoot('gzip-detail')
  })

  it('keeps the rows in view still when new ones arrive while scrolled down', async () => {
    await ui.keyboard.press('Escape')
    const table = ui.getByRole('grid', { name: 'Traffic' })
    const idAt = (index: number) =>
      table.locator(`[data-index="${index}"] [role="gridcell"]`).first().textContent()
    const scrollTop = () => table.evaluate((element: { scrollTop: number }) => element.scrollTop)
    const shown = async () => parseInt((await ui.locator('.count').textContent()) ?? '', 10)
    await table.evaluate((element: { scrollTop: number }) => {
      element.scrollTop = 40 * 24
    })
    await table.locator('[data-index="40"]').waitFor()
    const readingId = await idAt(40)
    const before = await shown()

    await press('simple')
    await press('simple')

    await expect.poll(shown).toBe(before + 2)
    await expect.poll(scrollTop).toBe(42 * 24)
    await expect(idAt(42)).resolves.toBe(readingId)
    await shoot('anchored')
  })

  it('says an imported exchange was not judged, instead of calling it refused or same-origin', async () => {
    const origin = 'https://shop.example.com'
    const entry = (
      method: string,
      url: string,
      extra: { name: string; value: string }[],
      status: number,
    ) => {
      const base = makeEntry() as { request: object; response: object }
      return makeEntry({
        request: {
          ...base.request,
          method,
          url,
          headers: [{ name: 'Origin', value: origin }, ...extra],
        },
        response: { ...base.response, status },
      })
    }
    const file = writeHar(tollgateDir, 'imported.har', [
      entry(
        'OPTIONS',
        'https://api.example.com/imported-preflight',
        [{ name: 'Access-Control-Request-Method', value: 'PUT' }],
        204,
      ),
      entry('GET', 'https://api.example.com/imported-get', [], 200),
    ])
    await importHar(tollgate.store, file, { session: 'imported' })

    await ui.getByRole('tab', { name: 'Preflights' }).click()
    const preflight = ui.getByRole('row').filter({ hasText: '/imported-preflight' })
    await preflight.waitFor()
    await expect(preflight.getByText('not judged').isVisible()).resolves.toBe(true)
    await expect(preflight.getByText('refused').count()).resolves.toBe(0)
    await ui.getByRole('tab', { name: 'Traffic' }).click()
    const get = rows().filter({ hasText: '/imported-get' })
    await expect(get.getByText('not judged').isVisible()).resolves.toBe(true)
    await get.click()
    await detail().getByText('No CORS verdict was recorded').waitFor()
    await shoot('imported')
  })

  it('logs no script errors in the UI', () => {
    expect(uiConsole.errors).toEqual([])
  })
})
