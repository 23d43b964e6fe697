import { expect } from 'vitest'
import type { CorsConfig } from '../../shared/config'
import type { LoggedSummary } from '../../electron/core/store'
import type { CredentialsMode } from '../../electron/core/verdict'

/**
 * The cross-origin cases real Chromium runs against Tollgate: where the page is, what it
 * fetches, the config in force, and what the browser and the recorded verdict must show.
 */

/** Where the page that sends the request is loaded from. */
export type PageOrigin = 'ip' | 'localhost' | 'subdomain' | 'sandboxed'

export interface Origins {
  /** The Origin the page's requests carry: `null` for the sandboxed page. */
  origin: string
  pagePort: number
  /** A port nothing serves pages on, for entries that differ only in the port. */
  otherPort: number
}

export interface FetchSpec {
  method?: string
  headers?: Record<string, string>
  body?: string
  credentials?: CredentialsMode
}

/** What Tollgate logged for one fetch, in the order the browser sent it. */
export type Sent = 'preflight' | 'http'

export interface BrowserCase {
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

export interface FetchResult {
  ok: boolean
  status?: number
  error?: string
  headers: Record<string, string | null>
}

export interface CaseRun {
  results: FetchResult[]
  /** The exchanges of each fetch, oldest first. */
  rows: LoggedSummary[][]
  /** Every exchange Tollgate logged for the case, oldest first. */
  all: LoggedSummary[]
  consoleErrors: string[]
}

export const CORS_DEFAULTS: CorsConfig = {
  allowedOrigins: [],
  allowCredentials: false,
  allowedMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
  exposeHeaders: [],
}

/** The value the mock upstream sends as X-Request-Id, a header script may or may not read. */
export const UPSTREAM_REQUEST_ID = 'req-browser-1'

export const COOKIE = { name: 'session', value: 'browser-test' }
export const PUT_JSON: FetchSpec = {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  body: '{"name":"x"}',
}

export const CASES: BrowserCase[] = [
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

/** Whether the browser sent the test cookie with the request. */
export function cookieSent(row: LoggedSummary): boolean {
  return row.requestHeaders.some(
    ([name, value]) => name.toLowerCase() === 'cookie' && value.includes(COOKIE.name),
  )
}
