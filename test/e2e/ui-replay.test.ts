import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashKey } from '../../electron/core/api-key'
import { maskKey } from '../../shared/keys'
import { makeEntry, makeHar } from '../core/har/har-fixtures'
import { startRecordingUpstream, type ReceivedRequest } from '../core/replay/replay-helpers'
import { startBrowser, watchConsole, type ConsoleLog, type TestBrowser } from '../support/browser'
import { send, startTollgate, type TestServer } from '../support/servers'

/**
 * The Replay view in headless Chromium against a real Tollgate (control API on) in front of an
 * upstream that keeps what it receives. The gateway's clock can be moved ahead, so a recorded
 * burst leaves the live window before it is replayed and recordings can be spread over minutes.
 */

const RENDERER_DIR = path.resolve('out/renderer')
const BURST_KEY = 'sk_live_burst_0123456789ab'
const SPREAD_KEY = 'sk_live_spread_0123456789cd'
const WINDOW_MS = 60_000

describe('the Replay view', () => {
  let upstream: TestServer & { received: ReceivedRequest[] }
  let tollgate: Awaited<ReturnType<typeof startTollgate>>
  let browser: TestBrowser
  let ui: Page
  let uiConsole: ConsoleLog
  let skew = 0

  beforeAll(async () => {
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      throw new Error('The UI is not built: run `npx electron-vite build` (npm test does it).')
    }
    upstream = await startRecordingUpstream()
    tollgate = await startTollgate({
      upstream: upstream.url,
      control: { rendererDir: RENDERER_DIR },
      rateLimit: { limit: 1000, windowMs: WINDOW_MS },
      clock: () => Date.now() + skew,
    })
    fs.mkdirSync('test-results', { recursive: true })

    browser = await startBrowser()
    ui = await browser.newPage()
    await ui.setViewportSize({ width: 1440, height: 1000 })
    uiConsole = watchConsole(ui)
    await ui.goto(tollgate.control!.uiUrl)
  })

  afterAll(async () => {
    await browser?.close()
    await tollgate?.stop()
    await upstream?.close()
  })

  const sendWithKey = (key: string, urlPath = '/items') =>
    send(tollgate.url, { path: urlPath, headers: ['X-API-Key', key] })
  /** Moves the gateway's clock past the window, so every budget starts full again. */
  const passWindow = () => void (skew += WINDOW_MS + 1000)
  const tab = (name: string) => ui.getByRole('tab', { name }).click()
  const filterByKey = async (key: string) => {
    await tab('Traffic')
    await ui.getByLabel('API key', { exact: true }).selectOption({ label: maskKey(key) })
    await tab('Replay')
  }
  const keyRow = (table: string, key: string) =>
    ui
      .getByRole('table', { name: table })
      .getByRole('row')
      .filter({ hasText: maskKey(key) })
  /** The figure each cell of a row starts with, before any note under it. */
  const figures = (row: ReturnType<typeof keyRow>) =>
    row
      .locator('td')
      .evaluateAll((cells: { firstChild: { textContent: string | null } | null }[]) =>
        cells.map((cell) => cell.firstChild?.textContent ?? ''),
      )
  const outcomes = (region: string, text: string) =>
    ui.getByRole('region', { name: region }).locator('.outcome-change', { hasText: text })
  const shoot = (name: string) => ui.screenshot({ path: `test-results/ui-replay-${name}.png` })

  it('predicts with What if the 10 requests of a burst of 70 that a limit of 60 a minute refuses', async () => {
    for (let sent = 0; sent < 70; sent++) {
      expect((await sendWithKey(BURST_KEY)).status).toBe(200)
    }
    await tab('Rules')
    await ui.locator('#limit').fill('60')
    await ui.getByRole('button', { name: 'Save' }).click()
    await ui.getByText('Saved; in force now.').waitFor()
    await filterByKey(BURST_KEY)

    await ui.getByRole('button', { name: 'Predict' }).click()

    const row = keyRow('Predicted 429s per key', BURST_KEY)
    await row.waitFor()
    await expect(figures(row)).resolves.toEqual(['70', '10'])
    const versusRecording = ui.getByRole('region', { name: 'Current policy vs the recording' })
    await expect(versusRecording.locator('.difference-count').textContent()).resolves.toBe('10')
    await expect(outcomes('Current policy vs the recording', '200 → 429').count()).resolves.toBe(10)
  })

  it('sets an edited limit beside the current one, with the requests it changes', async () => {
    await ui.locator('#what-if-limit').fill('65')

    await ui.getByRole('button', { name: 'Predict' }).click()

    const row = keyRow('Predicted 429s per key', BURST_KEY)
    await ui.getByRole('columnheader', { name: /Edited policy: 429s/ }).waitFor()
    await expect(figures(row)).resolves.toEqual(['70', '10', '5'])
    const versusCurrent = ui.getByRole('region', { name: 'Edited policy vs the current one' })
    await expect(versusCurrent.locator('.difference-count').textContent()).resolves.toBe('5')
    await expect(outcomes('Edited policy vs the current one', '429 → 200').count()).resolves.toBe(5)
    await ui.getByRole('heading', { name: 'What if' }).scrollIntoViewIfNeeded()
    await shoot('what-if')
  })

  it('replays the burst as fast as possible: 10 requests of that key go from 200 to 429', async () => {
    passWindow()
    await ui.getByRole('radio', { name: 'As fast as possible' }).check()

    await ui.getByRole('button', { name: 'Start replay' }).click()

    const row = keyRow('Replay per key', BURST_KEY)
    await row.waitFor()
    await expect(figures(row)).resolves.toEqual(['70', '60', '10', '0', '0', '200 → 429 ×10'])
    const change = row.locator('.chip.danger')
    await expect(change.textContent()).resolves.toBe('200 → 429 ×10')
    await expect(ui.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('70')
    await ui.getByRole('heading', { name: 'Replay through the gateway' }).scrollIntoViewIfNeeded()
    await shoot('replay-summary')
  })

  it('links each changed request to the row its replay added to the log', async () => {
    const changed = ui.getByRole('table', { name: 'Changed requests' }).getByRole('row')
    const replayLink = changed.nth(1).getByRole('cell').nth(1).getByRole('button')
    await replayLink.waitFor()
    const replayId = Number((await replayLink.textContent())?.slice(1))

    await replayLink.click()

    const detail = ui.getByRole('complementary', { name: `Exchange #${replayId}` })
    await detail.getByText('refused with 429').waitFor()
    const replayOf = tollgate.store.get(replayId)?.replayOf
    expect(tollgate.store.get(replayId)).toMatchObject({
      status: 429,
      replayOf: expect.any(Number),
    })
    await shoot('replay-link')
    await detail.getByRole('button', { name: `exchange #${replayOf}` }).click()
    await ui.getByRole('complementary', { name: `Exchange #${replayOf}` }).waitFor()
    await ui.keyboard.press('Escape')
  })

  it('sends one exchange edited from the detail panel with Edit and replay', async () => {
    passWindow()
    const before = upstream.received.length
    await tab('Traffic')
    await ui.getByRole('grid', { name: 'Traffic' }).getByRole('row').nth(1).click()
    await ui.getByRole('button', { name: 'Edit and replay' }).click()
    await ui.locator('#edit-method').fill('POST')
    await ui.locator('#edit-url').fill('/edited?replayed=yes')
    const headers = ui.locator('#edit-headers')
    await headers.fill(`${await headers.inputValue()}\nX-Edited: by hand`)
    await ui.locator('#edit-body').fill('{"edited":true}')
    await shoot('edit-and-replay')

    await ui.getByRole('button', { name: 'Start replay' }).click()

    await ui.locator('[role="progressbar"][aria-valuemax="1"][aria-valuenow="1"]').waitFor()
    await keyRow('Replay per key', BURST_KEY).waitFor()
    const received = upstream.received.slice(before)
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({ method: 'POST', url: '/edited?replayed=yes' })
    expect(received[0]!.rawHeaders).toEqual(expect.arrayContaining(['X-Edited', 'by hand']))
    expect(received[0]!.body.toString()).toBe('{"edited":true}')
    await ui.getByRole('checkbox', { name: /Edit before replay/ }).uncheck()
    await ui.keyboard.press('Escape')
  })

  it('stops a replay at the original timing of a recording spread over minutes with Cancel', async () => {
    for (let sent = 0; sent < 3; sent++) {
      expect((await sendWithKey(SPREAD_KEY, `/spread/${sent}`)).status).toBe(200)
      skew += 30_000
    }
    await filterByKey(SPREAD_KEY)
    await ui.getByRole('radio', { name: 'Traffic filter' }).check()
    await ui.getByRole('radio', { name: 'Original timing' }).check()
    await ui.getByRole('button', { name: '×1' }).click()
    await ui.getByRole('button', { name: 'Start replay' }).click()
    await ui.locator('[role="progressbar"][aria-valuenow="1"]').waitFor()

    await ui.getByRole('button', { name: 'Cancel' }).click()

    const summary = ui.getByRole('region', { name: 'Replay summary' })
    await summary.getByText('Cancelled').waitFor()
    const row = keyRow('Replay per key', SPREAD_KEY)
    await expect(figures(row)).resolves.toEqual(['1', '1', '0', '0', '0', 'none'])
    await expect(ui.getByRole('progressbar').getAttribute('aria-valuemax')).resolves.toBe('3')
    await expect(ui.getByRole('button', { name: 'Start replay' }).isEnabled()).resolves.toBe(true)
    await shoot('replay-cancelled')
  })

  it('imports a HAR file into a session, lists the entry it skipped and offers to replay it', async () => {
    const har = makeHar([makeEntry(), { request: 'not an entry' }, makeEntry()])
    await ui.getByLabel('HAR file', { exact: true }).setInputFiles({
      name: 'checkout.har',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(har)),
    })

    await ui.getByRole('button', { name: 'Import' }).click()

    const result = ui.getByRole('region', { name: 'Import result' })
    await result.getByText('entries imported into session').waitFor()
    await expect(result.locator('p strong').textContent()).resolves.toBe('2')
    await expect(result.getByText(', 1 skipped').isVisible()).resolves.toBe(true)
    const problems = result.getByRole('table', { name: 'Problems per entry' }).getByRole('row')
    await expect(problems.nth(1).locator('td').first().textContent()).resolves.toBe('1')
    await result.getByRole('button', { name: 'Replay this session' }).click()
    await expect(ui.getByLabel('Session name').inputValue()).resolves.toBe('checkout.har')
    await expect(ui.getByRole('radio', { name: 'Session' }).isChecked()).resolves.toBe(true)
    await ui
      .getByRole('region', { name: 'HAR files' })
      .screenshot({ path: 'test-results/ui-replay-har-import.png' })
  })

  it('exports what the Traffic filter selects as a HAR download, keys masked', async () => {
    const download = ui.waitForEvent('download')

    await ui.getByRole('button', { name: 'Export HAR' }).click()

    const file = path.join('test-results', 'ui-replay-export.har')
    await (await download).saveAs(file)
    const har = JSON.parse(fs.readFileSync(file, 'utf8'))
    const keys = har.log.entries.map(
      (entry: { request: { headers: { name: string; value: string }[] } }) =>
        entry.request.headers.find((header) => header.name === 'X-API-Key')?.value,
    )
    expect(keys).toHaveLength(tollgate.store.count({ keyHash: hashKey(SPREAD_KEY) }))
    expect(new Set(keys)).toEqual(new Set([maskKey(SPREAD_KEY)]))
  })

  it('logs no script errors in the UI', () => {
    expect(uiConsole.errors).toEqual([])
  })
})
