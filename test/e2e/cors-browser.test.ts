import type http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CorsRule } from '../../shared/exchange'
import type { LoggedSummary } from '../../electron/core/store'
import {
  CASES,
  COOKIE,
  UPSTREAM_REQUEST_ID,
  CORS_DEFAULTS,
  type BrowserCase,
  type CaseRun,
  type FetchResult,
  type FetchSpec,
  type Origins,
} from './cors-browser-cases'
import { startBrowser, watchConsole, type TestBrowser } from '../support/browser'
import { eventually, startServer, startTollgate, type TestServer } from '../support/servers'

/**
 * Real Chromium judges Tollgate's CORS verdicts: a page on one loopback origin fetches from
 * Tollgate on another, and whatever the browser did (the fetch resolved or threw, a header was
 * readable or null, the error it logged) must be what the recorded verdict says.
 */

// Chromium's CORS error texts and the verdict rules that explain them. The preflight message
// comes first: it quotes the other messages after its own prefix.
const CHROMIUM_MESSAGES: [RegExp, CorsRule[]][] = [
  [/Response to preflight request doesn't pass access control check/, ['preflight-failed']],
  [
    /must not be the wildcard '\*' when the request's credentials mode is 'include'/,
    ['wildcard-with-credentials'],
  ],
  [
    /'Access-Control-Allow-Credentials' header in the response is '' which must be 'true'/,
    ['credentials-not-allowed'],
  ],
  [
    /No 'Access-Control-Allow-Origin' header is present/,
    ['origin-not-allowed', 'origin-not-single'],
  ],
  [/'Access-Control-Allow-Origin' header has a value .* not equal to/, ['origin-not-allowed']],
  [/Method .* is not allowed by Access-Control-Allow-Methods/, ['method-not-allowed']],
  [
    /Request header field .* is not allowed by Access-Control-Allow-Headers/,
    ['header-not-allowed'],
  ],
]

let browser: TestBrowser
let pageServer: TestServer
let upstream: TestServer

beforeAll(async () => {
  browser = await startBrowser()
  pageServer = await startServer(servePage)
  upstream = await startServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'X-Request-Id': UPSTREAM_REQUEST_ID,
      })
      response.end('{"ok":true}')
    })
  })
})

afterAll(async () => {
  await browser?.close()
  await pageServer?.close()
  await upstream?.close()
})

describe('CORS verdicts judged by Chromium', () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const run = await runInBrowser(testCase)

      const report = describeRun(run)
      expect(run.all.length, report).toBe(testCase.sends.flat().length)
      run.results.forEach((result, index) => {
        expect(result.ok ? 'allowed' : 'blocked', report).toBe(testCase.outcome)
        expect(
          run.rows[index]!.map((row) => row.kind),
          report,
        ).toEqual(testCase.sends[index])
        expectVerdictToMatch(result, run.rows[index]!, run.consoleErrors, testCase, report)
      })
      testCase.check?.(run)
    })
  }
})

/** Compares what Chromium did with one fetch to what Tollgate recorded for it. */
function expectVerdictToMatch(
  result: FetchResult,
  rows: LoggedSummary[],
  consoleErrors: string[],
  testCase: BrowserCase,
  report: string,
): void {
  const deciding = rows.at(-1)!
  const verdict = deciding.cors
  expect(verdict?.outcome, report).toBe(result.ok ? 'allowed' : 'blocked')

  if (!result.ok) {
    const message = consoleErrors.find((text) => text.includes('blocked by CORS policy'))
    expect(message, report).toBeDefined()
    expect(rulesNamedBy(message!), report).toContain(verdict?.blocking?.rule)
    if (testCase.detail) expect(verdict?.blocking?.detail, report).toMatch(testCase.detail)
    // A refused preflight has no actual request to be paired with.
    if (deciding.kind === 'preflight') expect(deciding.pairedId, report).toBeUndefined()
    return
  }

  // Whatever the response carried, the script could read exactly what the verdict did not flag.
  for (const name of testCase.read ?? []) {
    const sent = deciding.responseHeaders?.some(
      ([line]) => line.toLowerCase() === name.toLowerCase(),
    )
    const flagged = verdict?.warnings.some(
      (warning) => warning.rule === 'header-not-exposed' && warning.detail.includes(name),
    )
    if (sent) expect(result.headers[name] === null, `${name}: ${report}`).toBe(flagged)
  }

  // A preflight that let the request through is paired with it both ways.
  const [preflight, actual] = rows
  if (preflight?.kind === 'preflight' && actual) {
    expect(preflight.cors?.outcome, report).toBe('allowed')
    expect(preflight.pairedId, report).toBe(actual.id)
    expect(actual.pairedId, report).toBe(preflight.id)
    expect(actual.cors?.preflight, report).toEqual({
      needed: true,
      source: 'logged',
      exchangeId: preflight.id,
    })
  }
}

function rulesNamedBy(message: string): CorsRule[] {
  return CHROMIUM_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? []
}

/** Loads the case's page, runs its fetches one after another, and reads what Tollgate logged. */
async function runInBrowser(testCase: BrowserCase): Promise<CaseRun> {
  const pageKind = testCase.page ?? 'ip'
  const pagePort = pageServer.port
  const pageUrl = {
    ip: `http://127.0.0.1:${pagePort}/`,
    localhost: `http://localhost:${pagePort}/`,
    subdomain: `http://app.localhost:${pagePort}/`,
    sandboxed: `http://127.0.0.1:${pagePort}/sandboxed`,
  }[pageKind]
  const origin = pageKind === 'sandboxed' ? 'null' : new URL(pageUrl).origin
  const origins: Origins = { origin, pagePort, otherPort: upstream.port }

  const tollgate = await startTollgate({
    upstream: upstream.url,
    ...(testCase.rateLimit && { rateLimit: testCase.rateLimit }),
    cors: { ...CORS_DEFAULTS, ...testCase.cors(origins) },
  })
  const context = await browser.newContext()
  try {
    if (testCase.cookie) await context.addCookies([{ ...COOKIE, url: tollgate.url }])
    const page = await context.newPage()
    const log = watchConsole(page)
    await page.goto(pageUrl)

    const results: FetchResult[] = []
    for (const spec of testCase.fetches) {
      const input = { url: tollgate.url, spec, read: testCase.read ?? [] }
      results.push(await page.evaluate(fetchFromPage, input))
    }

    // Rows are written once each response is complete; a shortfall shows in the assertions.
    const expected = testCase.sends.flat().length
    await eventually(() => {
      tollgate.store.flush()
      return tollgate.store.count() >= expected
    }).catch(() => undefined)
    tollgate.store.flush()
    const all = tollgate.store.list({ limit: 1000 }).items.reverse()

    let start = 0
    const rows = testCase.sends.map((sent) => all.slice(start, (start += sent.length)))
    return { results, rows, all, consoleErrors: log.errors }
  } finally {
    await context.close()
    await tollgate.stop()
  }
}

/** Runs inside the page: one fetch, and what its script could see. */
async function fetchFromPage(input: {
  url: string
  spec: FetchSpec
  read: string[]
}): Promise<FetchResult> {
  const { url, spec, read } = input
  try {
    const response = await fetch(`${url}/items`, {
      method: spec.method ?? 'GET',
      headers: spec.headers,
      body: spec.body,
      credentials: spec.credentials ?? 'same-origin',
    })
    const headers = Object.fromEntries(read.map((name) => [name, response.headers.get(name)]))
    await response.text()
    return { ok: true, status: response.status, headers }
  } catch (error) {
    return { ok: false, error: String(error), headers: {} }
  }
}

function servePage(request: http.IncomingMessage, response: http.ServerResponse): void {
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'text/html; charset=utf-8' }
  // Without allow-same-origin the page gets an opaque origin, and its requests say Origin: null.
  if (request.url === '/sandboxed') headers['Content-Security-Policy'] = 'sandbox allow-scripts'
  response
    .writeHead(200, headers)
    .end('<!doctype html><link rel="icon" href="data:,"><title>page</title>')
}

/** What a failure message shows: the console text and every verdict. */
function describeRun(run: CaseRun): string {
  const verdicts = run.all.map((row) => ({
    id: row.id,
    kind: row.kind,
    method: row.method,
    status: row.status,
    pairedId: row.pairedId,
    cors: row.cors,
  }))
  const results = run.results
  return JSON.stringify({ results, console: run.consoleErrors, verdicts }, null, 2)
}
