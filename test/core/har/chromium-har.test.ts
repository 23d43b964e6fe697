import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_API_KEY } from '../../../electron/core/demo'
import { exportHar, importHar, type HarImportResult } from '../../../electron/core/har'
import type { LoggedExchange } from '../../../electron/core/store'
import { startBrowser, type TestBrowser } from '../../support/browser'
import { startTollgate, tempDir } from '../../support/servers'
import { openTestStore, readSession, type TestStore } from './har-test-store'

/**
 * A HAR file as Chromium writes it, not as a fixture imagines it: the demo page driven in a
 * Playwright context that records a HAR, then imported into a fresh log, exported and imported
 * again.
 */

const SESSION = 'chromium.har'

/** What must survive an export and a second import unchanged. */
function comparable(exchange: LoggedExchange) {
  return {
    method: exchange.method,
    url: exchange.url,
    status: exchange.status,
    startedAt: exchange.startedAt,
    firstByteAt: exchange.firstByteAt,
    endedAt: exchange.endedAt,
    timings: exchange.timings,
    requestHeaders: exchange.requestHeaders,
    responseHeaders: exchange.responseHeaders,
    requestBody: Buffer.from(exchange.requestBody).toString('hex'),
    responseBody: Buffer.from(exchange.responseBody).toString('hex'),
    requestBodyTruncated: exchange.requestBodyTruncated,
    responseBodyTruncated: exchange.responseBodyTruncated,
    keyHash: exchange.keyHash,
    origin: exchange.origin,
  }
}

const headerOf = (exchange: LoggedExchange | undefined, name: string, side = 'request') =>
  (side === 'request' ? exchange?.requestHeaders : exchange?.responseHeaders)?.find(
    ([key]) => key.toLowerCase() === name.toLowerCase(),
  )?.[1]

describe('a HAR file recorded by Chromium from the demo page', () => {
  let tollgate: Awaited<ReturnType<typeof startTollgate>>
  let browser: TestBrowser
  let temp: ReturnType<typeof tempDir>
  let first: TestStore
  let second: TestStore
  let harFile: string
  let imported: HarImportResult

  beforeAll(async () => {
    tollgate = await startTollgate({ demo: true, control: true })
    browser = await startBrowser()
    temp = tempDir()
    harFile = path.join(temp.dir, 'demo.har')
    first = openTestStore()
    second = openTestStore()

    // The context writes the HAR when it closes, so it is closed before any test reads it.
    const context = await browser.browser.newContext({ recordHar: { path: harFile } })
    const page = await context.newPage()
    await page.goto(tollgate.demo!.allowedUrl)
    for (const action of ['simple', 'keyed']) {
      await page.locator(`button[data-action="${action}"]`).click()
      await page.locator(`#result-${action}`).getByText(/^200 /).waitFor()
    }
    await context.close()
    imported = await importHar(first.store, harFile, { session: SESSION })
  })

  afterAll(async () => {
    first?.close()
    second?.close()
    temp?.remove()
    await browser?.close()
    await tollgate?.stop()
  })

  it('imports every entry Chromium wrote', () => {
    const entries = JSON.parse(fs.readFileSync(harFile, 'utf8')).log.entries

    expect(imported.skipped).toBe(0)
    expect(imported.imported).toBe(entries.length)
  })

  it('holds the demo page and both of its calls through the proxy, as the gateway logged them', () => {
    tollgate.store.flush()
    const live = tollgate.store.list({ kind: 'http' }).items.reverse()
    const exchanges = readSession(first.store, SESSION)
    const proxied = exchanges.filter(
      (exchange) => exchange.kind === 'http' && exchange.url.startsWith(tollgate.url),
    )

    const page = exchanges.find((exchange) => exchange.url === tollgate.demo!.allowedUrl)
    expect(page).toMatchObject({ method: 'GET', status: 200 })
    expect(headerOf(page, 'content-type', 'response')).toMatch(/^text\/html/)
    expect(proxied.map((exchange) => [exchange.method, new URL(exchange.url).pathname])).toEqual(
      live.map((exchange) => [exchange.method, exchange.url]),
    )
    expect(proxied.map((exchange) => exchange.status)).toEqual(live.map((e) => e.status))
    expect(proxied.map((exchange) => exchange.origin)).toEqual(live.map((e) => e.origin))
    expect(proxied.map((exchange) => headerOf(exchange, 'x-api-key'))).toEqual([
      undefined,
      DEMO_API_KEY,
    ])
    expect(proxied.map((exchange) => exchange.keyHash)).toEqual(live.map((e) => e.keyHash))
    expect(headerOf(proxied[1], 'x-ratelimit-remaining', 'response')).toBe(
      headerOf(live[1] as LoggedExchange, 'x-ratelimit-remaining', 'response'),
    )
  })

  it('exports and imports again to the same bytes, headers and timings', async () => {
    const exported = path.join(temp.dir, 'exported.har')

    await exportHar(first.store, exported, { filter: { session: SESSION }, revealKeys: true })
    const again = await importHar(second.store, exported, { session: SESSION })

    const before = readSession(first.store, SESSION).map(comparable)
    const after = readSession(second.store, SESSION).map(comparable)
    expect(again).toMatchObject({ imported: before.length, skipped: 0 })
    expect(after).toEqual(before)
  })

  it('writes the same HAR file again from the second import', async () => {
    const once = path.join(temp.dir, 'once.har')
    const twice = path.join(temp.dir, 'twice.har')

    await exportHar(first.store, once, { filter: { session: SESSION }, revealKeys: true })
    await exportHar(second.store, twice, { filter: { session: SESSION }, revealKeys: true })

    expect(fs.readFileSync(twice, 'utf8')).toBe(fs.readFileSync(once, 'utf8'))
  })
})
