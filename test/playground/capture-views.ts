/**
 * Screenshots every view of a running UI into test-results/, for a person to look at:
 *
 *   node <bundled capture-views.mjs> '<ui url with #token=…>'
 *
 * Bundle it like serve-mock.ts (see there).
 */

import { chromium, type Page } from 'playwright-core'

const uiUrl = process.argv[2]
if (!uiUrl) throw new Error('Pass the UI address, with its #token=… fragment.')

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
const page = await browser.newPage({ viewport: { width: 1440, height: 860 } })
page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`))
page.on('console', (message) => {
  if (message.type() === 'error') process.stderr.write(`console: ${message.text()}\n`)
})

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/ui-${name}.png` }).then(() => name)

await page.goto(uiUrl)
await page.getByRole('row').nth(3).waitFor()
await shoot(page, 'traffic')

await page.getByRole('row').filter({ hasText: 'POST' }).first().click()
await page.getByRole('heading', { name: 'CORS verdict' }).waitFor()
await shoot(page, 'detail-overview')
await page.getByRole('tab', { name: 'Request' }).click()
await page.getByLabel('Show API keys').check()
await page.waitForTimeout(300)
await shoot(page, 'detail-request-revealed')
await page.getByLabel('Show API keys').uncheck()
await page.getByRole('tab', { name: 'Overview' }).click()
await page.getByRole('row').filter({ hasText: 'origin not allowed' }).first().click()
await page.waitForTimeout(300)
await shoot(page, 'detail-blocked')
await page.getByRole('tab', { name: 'Response' }).click()
await page.waitForTimeout(300)
await shoot(page, 'detail-response')

await page.getByRole('row').filter({ hasText: '/products/gzip' }).first().click()
await page.waitForTimeout(300)
await shoot(page, 'detail-gzip')
await page.getByRole('row').filter({ hasText: '/products/br' }).first().click()
await page.waitForTimeout(300)
await shoot(page, 'detail-br')
await page.getByRole('row').filter({ hasText: '/logo.png' }).first().click()
await page.waitForTimeout(300)
await shoot(page, 'detail-image')
await page.getByRole('row').filter({ hasText: '/blob' }).first().click()
await page.waitForTimeout(300)
await shoot(page, 'detail-binary')
await page.keyboard.press('Escape')

await page.getByRole('tab', { name: 'Budgets' }).click()
await page.waitForTimeout(1200)
await shoot(page, 'budgets')

await page.getByRole('tab', { name: 'Preflights' }).click()
await page.waitForTimeout(500)
await shoot(page, 'preflights')

await page.getByRole('tab', { name: 'Rules' }).click()
await page.waitForTimeout(500)
await shoot(page, 'rules')
await page.getByLabel('New allowed origin').fill('HTTP://LocalHost:5173/')
await page.getByLabel('Allowed request headers').fill('Authorization, Content Type')
await page.getByRole('button', { name: 'Save' }).click()
await page.waitForTimeout(500)
await shoot(page, 'rules-refused')

await page.getByRole('tab', { name: 'Traffic' }).click()
await page.getByLabel('Search URLs, headers and bodies').fill('gadget')
await page.waitForTimeout(1000)
await shoot(page, 'traffic-search')
await page.getByLabel('Search URLs, headers and bodies').fill('')

// The log failing: the header bar must say so. The core's answer is altered on the way in.
await page.route('**/api/status.get', async (route) => {
  const response = await route.fetch()
  const status = await response.json()
  status.logging = {
    writable: false,
    lastError: 'SQLITE_FULL: database or disk is full',
    pending: 1284,
    dropped: 0,
  }
  await route.fulfill({ response, json: status })
})
await page.reload()
await page.getByRole('alert').first().waitFor()
await shoot(page, 'logging-stopped')
await page.unroute('**/api/status.get')

await page.getByRole('button', { name: 'Clear', exact: true }).click()
await page.getByRole('heading', { name: 'No traffic yet' }).waitFor()
await shoot(page, 'empty-traffic')
await page.getByRole('tab', { name: 'Preflights' }).click()
await page.waitForTimeout(300)
await shoot(page, 'empty-preflights')

await browser.close()
process.stdout.write('screenshots in test-results/\n')
