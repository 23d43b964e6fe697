import fs from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/** Debian's Chromium; tests never download a browser of their own. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A running Chromium that a test file shares; every page gets its own fresh context. */
export interface TestBrowser {
  browser: Browser
  /** A context with its own cookies, cache and preflight cache, closed with the browser. */
  newContext(): Promise<BrowserContext>
  /** A page in a fresh context of its own. */
  newPage(): Promise<Page>
  /** Closes every context and the browser; its temporary profile goes with it. */
  close(): Promise<void>
}

/** The console messages a page logged, kept as they arrive. */
export interface ConsoleLog {
  /** Text of every `error` message: script errors and Chromium's own network and CORS errors. */
  errors: string[]
}

/**
 * Launches headless Chromium from `/usr/bin/chromium`. Playwright gives a launched browser a
 * temporary profile that it deletes on close, so every run starts with no cookies or cache.
 */
export async function startBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: install it with apt-get install -y chromium`,
    )
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  })
  const contexts = new Set<BrowserContext>()

  const newContext = async () => {
    const context = await browser.newContext()
    contexts.add(context)
    context.on('close', () => contexts.delete(context))
    return context
  }

  return {
    browser,
    newContext,
    async newPage() {
      const context = await newContext()
      return context.newPage()
    },
    async close() {
      await Promise.all([...contexts].map((context) => context.close()))
      await browser.close()
    },
  }
}

/** Starts keeping a page's console errors; read `errors` after the page has acted. */
export function watchConsole(page: Page): ConsoleLog {
  const log: ConsoleLog = { errors: [] }
  page.on('console', (message) => {
    if (message.type() === 'error') log.errors.push(message.text())
  })
  return log
}
