/**
 * Origin parsing and allowlist advice, shared by the config loader, the CORS verdict and the UI's
 * origin editor. Browser-safe: it imports nothing from Node.
 */

/** An Origin value or allowlist entry split into its parts, spelling kept as written. */
export interface ParsedOrigin {
  scheme: string
  /** As written; an IPv6 host keeps its brackets. */
  host: string
  /** The port digits as written, when a colon follows the host. */
  portText?: string
  /** The port a browser connects to: the written one, or the scheme's default. */
  port?: number
  /** Whatever follows host and port (a slash, path, query or fragment); empty in browser form. */
  rest: string
  /** A user name or password before `@`, which no Origin ever carries. */
  userInfo?: string
}

export type OriginEntrySeverity = 'ok' | 'warning' | 'error'

/** What the origin editor and the config loader say about one allowlist entry. */
export interface OriginEntryResult {
  entry: string
  /** False when the entry can never match an Origin a browser sends. */
  valid: boolean
  severity: OriginEntrySeverity
  /** Full sentences, each naming the value and the fix. */
  problems: string[]
  /** The form a browser sends, offered only when it differs from the entry. */
  canonical?: string
}

/** Ways a value can differ from the exact form a browser serializes. */
export type OriginFormProblem =
  'user-info' | 'upper-case' | 'unicode-host' | 'default-port' | 'trailing-slash' | 'path'

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 }
const ORIGIN_PATTERN = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s
const SCHEMELESS_PATTERN = /^(?:\/\/)?([^:/?#\s@]+)(:\d*)?([/?#].*)?$/s
const NON_ASCII = /[^\x00-\x7f]/

/** The port browsers assume for a scheme, for the schemes that have one. */
export function defaultPortOf(scheme: string): number | undefined {
  return DEFAULT_PORTS[scheme.toLowerCase()]
}

/** Whether a host names this machine's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase()
  return lower === 'localhost' || lower === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(lower)
}

/** Splits `scheme://host[:port]…`; undefined when the value does not have that shape. */
export function parseOrigin(value: string): ParsedOrigin | undefined {
  const match = ORIGIN_PATTERN.exec(value)
  if (!match) return undefined
  const [, scheme = '', authority = '', rest = ''] = match

  const at = authority.lastIndexOf('@')
  const userInfo = at >= 0 ? authority.slice(0, at) : undefined
  const hostAndPort = splitHostAndPort(authority.slice(at + 1))
  if (!hostAndPort || hostAndPort.host === '') return undefined

  const { host, portText } = hostAndPort
  let port = defaultPortOf(scheme)
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) return undefined
    port = Number(portText)
  }

  return { scheme, host, portText, port, rest, userInfo }
}

/**
 * The exact string a browser sends as Origin for a page at this origin, or undefined when the
 * value is no origin at all. A missing scheme is guessed: http for loopback hosts, else https.
 */
export function canonicalizeOrigin(value: string): string | undefined {
  const trimmed = value.trim()
  if (trimmed.toLowerCase() === 'null') return 'null'

  if (!ORIGIN_PATTERN.test(trimmed)) {
    const schemeless = SCHEMELESS_PATTERN.exec(trimmed)
    if (!schemeless) return undefined
    const scheme = isLoopbackHost(schemeless[1] ?? '') ? 'http' : 'https'
    return canonicalizeOrigin(`${scheme}://${trimmed.replace(/^\/\//, '')}`)
  }

  const parsed = parseOrigin(trimmed)
  if (!parsed) return undefined
  const scheme = parsed.scheme.toLowerCase()
  const port = parsed.portText ? `:${parsed.portText}` : ''

  // The URL parser does what browsers do: lower case, punycode, default port dropped.
  if (defaultPortOf(scheme) !== undefined) {
    try {
      const origin = new URL(`${scheme}://${parsed.host}${port}`).origin
      return origin === 'null' ? undefined : origin
    } catch {
      return undefined
    }
  }
  return `${scheme}://${parsed.host.toLowerCase()}${port}`
}

/** Lists how a parsed value strays from the form browsers serialize, in reading order. */
export function findOriginFormProblems(parsed: ParsedOrigin): OriginFormProblem[] {
  const problems: OriginFormProblem[] = []

  if (parsed.userInfo !== undefined) problems.push('user-info')
  if (NON_ASCII.test(parsed.host)) problems.push('unicode-host')
  const upperCase = parsed.scheme + (NON_ASCII.test(parsed.host) ? '' : parsed.host)
  if (upperCase !== upperCase.toLowerCase()) problems.push('upper-case')

  const defaultPort = defaultPortOf(parsed.scheme)
  if (parsed.portText && defaultPort !== undefined && parsed.port === defaultPort) {
    problems.push('default-port')
  }

  if (parsed.rest === '/') problems.push('trailing-slash')
  else if (parsed.rest !== '') problems.push('path')
  return problems
}

/**
 * Explains why an allowlist entry can never match (with the canonical form to use instead), and
 * warns about entries that match but open more than intended: `*` and `null`.
 */
export function validateOriginEntry(entry: string, allowCredentials: boolean): OriginEntryResult {
  const trimmed = entry.trim()
  if (trimmed === '') {
    return failed(entry, ['An empty entry matches no request; remove it.'])
  }
  if (/\s/.test(trimmed)) {
    const problem = `"${entry}" contains a space, but an Origin is one value without spaces, so it can never match. Put each origin in its own entry.`
    return failed(entry, [problem])
  }

  const problems: string[] = []
  if (trimmed !== entry) {
    problems.push(
      `"${entry}" has whitespace around it, which is never part of an Origin, so it can never match. Remove the spaces: ${trimmed}.`,
    )
  }

  if (trimmed === '*') return warnAboutWildcard(entry, problems, allowCredentials)
  if (trimmed.toLowerCase() === 'null') return warnAboutNull(entry, trimmed, problems)
  if (trimmed.includes('*')) {
    const problem = `${trimmed} uses * as a pattern, but entries are compared exactly, so it can never match. List each origin a browser sends, such as https://app.example.com; only * on its own allows every origin.`
    return failed(entry, [...problems, problem])
  }

  if (!ORIGIN_PATTERN.test(trimmed)) {
    const canonical = canonicalizeOrigin(trimmed)
    if (canonical === undefined) return failed(entry, [...problems, notAnOrigin(trimmed)])
    const problem = `${trimmed} has no scheme, but browsers always send one, so it can never match. Use ${canonical}${canonical.startsWith('https:') ? ' (or the http:// form if the page is served over plain HTTP)' : ''}.`
    return failed(entry, [...problems, problem], canonical)
  }

  if (/^file:/i.test(trimmed)) {
    const problem = `${trimmed} can never match: pages opened from file: send the Origin null, not a path. Serve the page from a local web server (for example http://localhost:3000) and list that origin.`
    return failed(entry, [...problems, problem])
  }
  const parsed = parseOrigin(trimmed)
  if (!parsed) return failed(entry, [...problems, notAnOrigin(trimmed)])

  const canonical = canonicalizeOrigin(trimmed)
  const fix = canonical ?? trimmed
  for (const problem of findOriginFormProblems(parsed)) {
    problems.push(describeEntryProblem(problem, trimmed, parsed, fix))
  }
  if (problems.length === 0 && canonical !== undefined && canonical !== trimmed) {
    problems.push(
      `${trimmed} is not written the way browsers send it (${canonical}), so it can never match. Use ${canonical}.`,
    )
  }

  if (problems.length === 0 && !PAGE_SCHEMES.has(parsed.scheme.toLowerCase())) {
    problems.push(
      `${trimmed} is allowed, but browsers send an Origin from http and https pages (and extensions), not from ${parsed.scheme}: pages. Check the scheme; a web page served over plain HTTP is http://${parsed.host}${parsed.portText ? `:${parsed.portText}` : ''}.`,
    )
    return withSeverity(entry, problems, 'warning')
  }
  if (problems.length === 0) return { entry, valid: true, severity: 'ok', problems }
  return failed(entry, problems, canonical !== entry ? canonical : undefined)
}

/** Schemes of the pages, extensions and app webviews that send an Origin. */
const PAGE_SCHEMES = new Set([
  'http',
  'https',
  'chrome-extension',
  'moz-extension',
  'safari-web-extension',
  'capacitor',
  'ionic',
  'tauri',
  'app',
])

/** Validates every entry, and flags repeats and a `*` that sits next to other entries. */
export function validateOriginList(
  entries: readonly string[],
  allowCredentials: boolean,
): { results: OriginEntryResult[]; duplicates: string[] } {
  const results = entries.map((entry) => validateOriginEntry(entry, allowCredentials))
  const seen = new Set<string>()
  const duplicates = new Set<string>()

  results.forEach((result) => {
    if (seen.has(result.entry)) {
      duplicates.add(result.entry)
      result.problems.push(`${result.entry} is listed more than once; remove the repeat.`)
      if (result.severity === 'ok') result.severity = 'warning'
    }
    seen.add(result.entry)

    // `*` means "any origin" only as the sole entry; beside others it is compared literally.
    if (result.entry.trim() === '*' && entries.length > 1) {
      result.problems.push(
        '* means "any origin" only when it is the only entry; next to other entries it is compared literally and matches nothing. Remove it, or make it the only entry.',
      )
      result.severity = 'error'
      result.valid = false
    }
  })

  return { results, duplicates: [...duplicates] }
}

function splitHostAndPort(text: string): { host: string; portText?: string } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) return undefined
    const after = text.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) return undefined
    return { host: text.slice(0, close + 1), portText: after === '' ? undefined : after.slice(1) }
  }

  const colon = text.indexOf(':')
  if (colon < 0) return { host: text }
  const portText = text.slice(colon + 1)
  if (portText.includes(':')) return undefined
  return { host: text.slice(0, colon), portText }
}

function describeEntryProblem(
  problem: OriginFormProblem,
  entry: string,
  parsed: ParsedOrigin,
  fix: string,
): string {
  const never = 'so it can never match'
  switch (problem) {
    case 'user-info':
      return `${entry} has a user name before @, which browsers never put in an Origin, ${never}. Use ${fix}.`
    case 'unicode-host':
      return `${entry} has a non-ASCII host; browsers send it in punycode (${fix}), ${never}. Use ${fix}.`
    case 'upper-case':
      return `${entry} has upper-case letters; browsers send the scheme and host in lower case, ${never}. Use ${fix}.`
    case 'default-port':
      return `${entry} names the default port ${parsed.portText}, which browsers leave out of the Origin, ${never}. Use ${fix}.`
    case 'trailing-slash':
      return `${entry} ends with a slash; browsers send origins without one, ${never}. Use ${fix}.`
    case 'path':
      return `${entry} has a path or query (${parsed.rest}), but an origin is only scheme, host and port, ${never}. Use ${fix}.`
  }
}

function warnAboutWildcard(
  entry: string,
  problems: string[],
  allowCredentials: boolean,
): OriginEntryResult {
  problems.push(
    '* lets every website read responses from this API. Keep it only for a truly public API; otherwise list the sites you trust.',
  )
  if (allowCredentials) {
    problems.push(
      '* does not work together with allowCredentials: browsers refuse to let script read a credentialed response whose Access-Control-Allow-Origin is *. List the exact origins instead.',
    )
  }
  if (entry === '*') return withSeverity(entry, problems, 'warning')
  return { ...withSeverity(entry, problems, 'error'), canonical: '*' }
}

function warnAboutNull(entry: string, trimmed: string, problems: string[]): OriginEntryResult {
  if (trimmed !== 'null') {
    problems.push(
      `${trimmed} must be written in lower case, the way browsers send it, so it can never match. Use null.`,
    )
  }
  problems.push(
    'null is the Origin of every sandboxed iframe, every page opened from file: and every request after a cross-origin redirect, so allowing it lets all of them read responses. Serve the page from a real origin (for example http://localhost:3000) and list that instead.',
  )
  const severity = trimmed === entry && trimmed === 'null' ? 'warning' : 'error'
  return {
    ...withSeverity(entry, problems, severity),
    canonical: entry === 'null' ? undefined : 'null',
  }
}

function notAnOrigin(value: string): string {
  return `${value} is not an origin; an origin looks like https://app.example.com or http://localhost:5173 (scheme, host and an optional port, nothing else).`
}

function failed(entry: string, problems: string[], canonical?: string): OriginEntryResult {
  return { ...withSeverity(entry, problems, 'error'), canonical }
}

function withSeverity(
  entry: string,
  problems: string[],
  severity: OriginEntrySeverity,
): OriginEntryResult {
  return { entry, valid: severity !== 'error', severity, problems }
}
