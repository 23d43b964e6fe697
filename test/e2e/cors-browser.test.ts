import type http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CorsConfig } from '../../shared/config'
import type { CorsRule } from '../../shared/exchange'
import type { LoggedSummary } from '../../electron/core/store'
import type { CredentialsMode } from '../../electron/core/verdict'
import { startBrowser, watchConsole, type TestBrowser } from '../support/browser'
import { eventually, startServer, startTollgate, type TestServer } from '../support/servers'

/**
 * Real Chromium judges Tollgate's CORS verdicts: a page on one loopback origin fetches from
 * Tollgate on another, and whatever the browser did (the fetch resolved or threw, a header was
 * readable or null, the error it logged) must be what the recorded verdict says.
 */

/** Where the page that sends the request is loaded from. */
type PageOrigin = 'ip' | 'localhost' | 'subdomain' | 'sandboxed'

interface Origins {
  /** The Origin the page's requests carry: `null` for the sandboxed page. */
  origin: string
  pagePort: number
  /** A port nothing serves pages on, for entries that differ only in the port. */
  otherPort: number
}

interface FetchSpec {
  method?: string
  headers?: Record<string, string>
  body?: string
  credentials?: CredentialsMode
}

/** What Tollgate logged for one fetch, in the order the browser sent it. */
type Sent = 'preflight' | 'http'

interface BrowserCase {
  name: string
  page?: PageOrigin
  cors: (origins: Origins) => Partial<CorsConfig>
  rateLimit?: { limit: number }
  /** Set a cookie on Tollgate's origin before the page loads. */
  cookie?: boolean
  fetches: FetchSpec[]
  /** What the browser does with every fetch of the case. */
  outcome: 'allowed' | 'blocked'
  /** What Tollgate sees, per fetch. */
  sends: Sent[][]
  /** Words the deciding verdict's blocking detail must contain. */
  detail?: RegExp
  /** Response headers the script reads; the value or null it got is in the result. */
  read?: string[]
  /** Assertions of this case only, run after the common ones. */
  check?: (run: CaseRun) => void
}

interface FetchResult {
  ok: boolean
  status?: number
  error?: string
  headers: Record<string, string | null>
}

interface CaseRun {
  results: FetchResult[]
  /** The exchanges of each fetch, oldest first. */
  rows: LoggedSummary[][]
  /** Every exchange Tollgate logged for the case, oldest first. */
  all: LoggedSummary[]
  consoleErrors: string[]
}

const CORS_DEFAULTS: CorsConfig = {
  allowedOrigins: [],
  allowCredentials: false,
  allowedMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
  exposeHeaders: [],
}

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

const COOKIE = { name: 'session', value: 'browser-test' }
const PUT_JSON: FetchSpec = {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  body: '{"name":"x"}',
}

const CASES: BrowserCase[] = [
  // The allowlist: byte-exact, so every near miss is blocked.
  {
    name: 'lets an exactly listed origin read the response and its budget',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{}],
    outcome: 'allowed',
    sends: [['http']],
    read: ['X-RateLimit-Remaining', 'X-RateLimit-Limit'],
    check: ({ results }) => {
      expect(results[0]!.headers['X-RateLimit-Remaining']).toBe('59')
      expect(results[0]!.headers['X-RateLimit-Limit']).toBe('60')
    },
  },
  {
    name: 'blocks an http page when the entry is https',
    cors: ({ origin }) => ({ allowedOrigins: [origin.replace('http:', 'https:')] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /scheme differs/,
  },
  {
    name: 'blocks a page on another port',
    cors: ({ otherPort }) => ({ allowedOrigins: [`http://127.0.0.1:${otherPort}`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /port differs/,
  },
  {
    name: 'blocks a subdomain of a listed host',
    page: 'subdomain',
    cors: ({ pagePort }) => ({ allowedOrigins: [`http://localhost:${pagePort}`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /app\.localhost/,
  },
  {
    name: 'blocks a localhost page when 127.0.0.1 is listed',
    page: 'localhost',
    cors: ({ pagePort }) => ({ allowedOrigins: [`http://127.0.0.1:${pagePort}`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /localhost is not 127\.0\.0\.1/,
  },
  {
    name: 'blocks a 127.0.0.1 page when localhost is listed',
    cors: ({ pagePort }) => ({ allowedOrigins: [`http://localhost:${pagePort}`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /127\.0\.0\.1 is not localhost/,
  },
  {
    name: 'lets a localhost page in when localhost is listed',
    page: 'localhost',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{}],
    outcome: 'allowed',
    sends: [['http']],
  },
  {
    name: 'blocks a page whose entry ends with a slash',
    cors: ({ origin }) => ({ allowedOrigins: [`${origin}/`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /slash/,
  },
  {
    name: 'blocks a page whose entry is written in upper case',
    page: 'localhost',
    cors: ({ pagePort }) => ({ allowedOrigins: [`http://LocalHost:${pagePort}`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /upper/i,
  },
  {
    name: 'blocks a sandboxed page when null is not listed',
    page: 'sandboxed',
    cors: ({ pagePort }) => ({ allowedOrigins: [`http://127.0.0.1:${pagePort}`] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    detail: /null/,
  },
  {
    name: 'lets a sandboxed page in when null is listed',
    page: 'sandboxed',
    cors: () => ({ allowedOrigins: ['null'] }),
    fetches: [{}],
    outcome: 'allowed',
    sends: [['http']],
  },
  {
    name: 'blocks a simple GET from an unlisted origin after forwarding it',
    cors: () => ({ allowedOrigins: ['http://localhost:3000'] }),
    fetches: [{}],
    outcome: 'blocked',
    sends: [['http']],
    check: ({ rows }) => expect(rows[0]![0]!.status).toBe(200),
  },

  // Methods that need a preflight.
  {
    name: 'lets a PUT through after a passing preflight',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ method: 'PUT', body: 'x' }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'lets a DELETE through after a passing preflight',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ method: 'DELETE' }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'lets a PATCH through after a passing preflight',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ method: 'PATCH', body: 'x' }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'stops a PATCH at the preflight when PATCH is not allowed',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedMethods: ['GET', 'POST', 'PUT'] }),
    fetches: [{ method: 'PATCH', body: 'x' }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /method PATCH/,
  },
  {
    name: 'stops a lower-case patch at the preflight because methods compare exactly',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ method: 'patch', body: 'x' }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /patch does not match PATCH/,
  },
  {
    name: 'lets a preflighted POST through when allowedMethods lists only PUT',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedMethods: ['PUT'] }),
    fetches: [{ ...PUT_JSON, method: 'POST' }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'stops a PUT from an unlisted origin at the preflight',
    cors: () => ({ allowedOrigins: ['http://localhost:3000'] }),
    fetches: [{ method: 'PUT', body: 'x' }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /not in the allowlist/,
  },

  // Request headers that need a preflight.
  {
    name: 'lets an Authorization header through when it is listed',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ headers: { Authorization: 'Bearer sk_test_browser' } }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'lets an X-API-Key header through when it is listed in lower case',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedHeaders: ['x-api-key'] }),
    fetches: [{ headers: { 'X-API-Key': 'sk_test_browser' } }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'lets a JSON body through when Content-Type is listed',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [PUT_JSON],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'stops a JSON POST at the preflight when Content-Type is not listed',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedHeaders: ['X-API-Key'] }),
    fetches: [{ ...PUT_JSON, method: 'POST' }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /content-type/i,
  },
  {
    name: 'stops an unlisted header at the preflight',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ headers: { 'X-Debug': '1' } }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /x-debug/,
  },
  {
    name: 'lets any header but Authorization through with allowedHeaders *',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedHeaders: ['*'] }),
    fetches: [{ headers: { 'X-Debug': '1' } }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'stops Authorization at the preflight when allowedHeaders is only *',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedHeaders: ['*'] }),
    fetches: [{ headers: { Authorization: 'Bearer sk_test_browser' } }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /never covers Authorization/,
  },
  {
    name: 'lets Authorization through when it is listed next to *',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowedHeaders: ['*', 'Authorization'] }),
    fetches: [{ headers: { Authorization: 'Bearer sk_test_browser', 'X-Debug': '1' } }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'stops a credentialed custom header when allowedHeaders * meets credentials',
    cors: ({ origin }) => ({
      allowedOrigins: [origin],
      allowedHeaders: ['*'],
      allowCredentials: true,
    }),
    cookie: true,
    fetches: [{ headers: { 'X-Debug': '1' }, credentials: 'include' }],
    outcome: 'blocked',
    sends: [['preflight']],
    detail: /literally/,
  },

  // Simple requests: the browser asks nothing first.
  {
    name: 'sends a text/plain POST without a preflight',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{ method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' }],
    outcome: 'allowed',
    sends: [['http']],
  },
  {
    name: 'delivers a text/plain POST from an unlisted origin but blocks the read',
    cors: () => ({ allowedOrigins: ['http://localhost:3000'] }),
    fetches: [{ method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' }],
    outcome: 'blocked',
    sends: [['http']],
    check: ({ rows }) => expect(rows[0]![0]!.status).toBe(200),
  },

  // Credentials: a cookie on Tollgate's origin, sent with credentials: 'include'.
  {
    name: 'lets a credentialed GET through when credentials are allowed',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowCredentials: true }),
    cookie: true,
    fetches: [{ credentials: 'include' }],
    outcome: 'allowed',
    sends: [['http']],
    check: ({ rows }) => expect(cookieSent(rows[0]![0]!)).toBe(true),
  },
  {
    name: 'blocks a credentialed GET when credentials are not allowed',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    cookie: true,
    fetches: [{ credentials: 'include' }],
    outcome: 'blocked',
    sends: [['http']],
    check: ({ rows }) => expect(cookieSent(rows[0]![0]!)).toBe(true),
  },
  {
    name: 'lets a credentialed PUT through after a preflight that allows credentials',
    cors: ({ origin }) => ({ allowedOrigins: [origin], allowCredentials: true }),
    cookie: true,
    fetches: [{ ...PUT_JSON, credentials: 'include' }],
    outcome: 'allowed',
    sends: [['preflight', 'http']],
  },
  {
    name: 'lets any origin read an uncredentialed response with allowlist *',
    cors: () => ({ allowedOrigins: ['*'] }),
    fetches: [{}],
    outcome: 'allowed',
    sends: [['http']],
    read: ['X-RateLimit-Remaining'],
    check: ({ results }) => expect(results[0]!.headers['X-RateLimit-Remaining']).toBe('59'),
  },
  {
    name: 'blocks a credentialed GET with allowlist * and credentials off',
    cors: () => ({ allowedOrigins: ['*'] }),
    cookie: true,
    fetches: [{ credentials: 'include' }],
    outcome: 'blocked',
    sends: [['http']],
  },
  {
    name: 'blocks a credentialed GET with allowlist * even when credentials are allowed',
    cors: () => ({ allowedOrigins: ['*'], allowCredentials: true }),
    cookie: true,
    fetches: [{ credentials: 'include' }],
    outcome: 'blocked',
    sends: [['http']],
  },

  // The rate limit, as the page's script sees it.
  {
    name: 'shows the page a readable 429 with its budget headers',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    rateLimit: { limit: 1 },
    fetches: [{}, {}],
    outcome: 'allowed',
    sends: [['http'], ['http']],
    read: ['X-RateLimit-Remaining', 'Retry-After'],
    check: ({ results }) => {
      expect(results.map((result) => result.status)).toEqual([200, 429])
      expect(results[1]!.headers['X-RateLimit-Remaining']).toBe('0')
      expect(Number(results[1]!.headers['Retry-After'])).toBeGreaterThanOrEqual(1)
    },
  },

  // Upstream headers: hidden unless exposed.
  {
    name: 'hides an upstream header that is not exposed and names it in a warning',
    cors: ({ origin }) => ({ allowedOrigins: [origin] }),
    fetches: [{}],
    outcome: 'allowed',
    sends: [['http']],
    read: ['X-Request-Id'],
    check: ({ results, rows }) => {
      expect(results[0]!.headers['X-Request-Id']).toBeNull()
      const warning = rows[0]![0]!.cors?.warnings.find((w) => w.rule === 'header-not-exposed')
      expect(warning?.detail).toMatch(/X-Request-Id/)
    },
  },
  {
    name: 'shows an upstream header listed in exposeHeaders and warns about nothing',
    cors: ({ origin }) => ({ allowedOrigins: [origin], exposeHeaders: ['X-Request-Id'] }),
    fetches: [{}],
    outcome: 'allowed',
    sends: [['http']],
    read: ['X-Request-Id'],
    check: ({ results, rows }) => {
      expect(results[0]!.headers['X-Request-Id']).toBe(UPSTREAM_REQUEST_ID)
      expect(rows[0]![0]!.cors?.warnings).toEqual([])
    },
  },

  // The browser's preflight cache.
  {
    name: 'reuses a preflight within its max-age and Tollgate marks it browser-cache',
    cors: ({ origin }) => ({ allowedOrigins: [origin], maxAge: 600 }),
    fetches: [PUT_JSON, PUT_JSON],
    outcome: 'allowed',
    sends: [['preflight', 'http'], ['http']],
    check: ({ rows }) => {
      const preflight = rows[0]![0]!
      expect(rows[1]![0]!.cors?.preflight).toEqual({
        needed: true,
        source: 'browser-cache',
        exchangeId: preflight.id,
      })
    },
  },
  {
    name: 'asks again for every request when max-age is 0',
    cors: ({ origin }) => ({ allowedOrigins: [origin], maxAge: 0 }),
    fetches: [PUT_JSON, PUT_JSON],
    outcome: 'allowed',
    sends: [
      ['preflight', 'http'],
      ['preflight', 'http'],
    ],
  },
]

const UPSTREAM_REQUEST_ID = 'req-browser-1'

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

function cookieSent(row: LoggedSummary): boolean {
  return row.requestHeaders.some(
    ([name, value]) => name.toLowerCase() === 'cookie' && value.includes(COOKIE.name),
  )
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
