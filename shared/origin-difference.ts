/**
 * Explains why a request's Origin missed the allowlist: the entry it came closest to and exactly
 * how the two differ. Browser-safe, like the parsing it builds on.
 */

import {
  canonicalizeOrigin,
  findOriginFormProblems,
  isLoopbackHost,
  parseOrigin,
  validateOriginEntry,
  type OriginFormProblem,
  type ParsedOrigin,
} from './origin'

export interface OriginDifference {
  /** The allowlist entry the request came closest to, as written. */
  nearest?: string
  /** Full sentences, most important first, each naming the values and the fix; empty on a match. */
  differences: string[]
}

type HostRelation = 'loopback' | 'parent' | 'subdomain' | 'starts-with' | 'ends-with' | 'unrelated'

interface Comparison {
  entry: string
  score: number
  spelling: number
  differences: string[]
}

/**
 * Names the allowlist entry nearest to `requestOrigin` and how they differ: scheme, host (with
 * loopback, parent-domain and lookalike cases called out), port, and spelling such as a trailing
 * slash, upper case or an explicit default port on either side.
 */
export function describeOriginDifference(
  requestOrigin: string,
  entries: readonly string[],
): OriginDifference {
  const candidates = entries.filter((entry) => entry.trim() !== '' && entry.trim() !== '*')
  if (candidates.includes(requestOrigin)) return { nearest: requestOrigin, differences: [] }
  if (requestOrigin === 'null') return describeNullOrigin(candidates)

  const request = parseOrigin(requestOrigin)
  const requestCanonical = canonicalizeOrigin(requestOrigin)
  const wanted = requestCanonical === undefined ? undefined : parseOrigin(requestCanonical)
  if (!request || !requestCanonical || !wanted) {
    const problem = `The request's Origin "${requestOrigin}" is not an origin (scheme://host[:port]), so it matches no entry; browsers never send such a value. Fix the client that sets it.`
    return { differences: [problem] }
  }
  if (candidates.length === 0) {
    const problem = `The allowlist has no entry that could match ${requestOrigin}. Add ${requestCanonical} to cors.allowedOrigins if that site should read responses.`
    return { differences: [problem] }
  }

  const comparisons = candidates.map((entry) =>
    compareWithEntry(requestOrigin, request, wanted, requestCanonical, entry),
  )
  comparisons.sort((a, b) => a.score - b.score || a.spelling - b.spelling)
  const best = comparisons[0]
  return best ? { nearest: best.entry, differences: best.differences } : { differences: [] }
}

function compareWithEntry(
  requestOrigin: string,
  request: ParsedOrigin,
  wanted: ParsedOrigin,
  requestCanonical: string,
  entry: string,
): Comparison {
  const spelling = editDistance(requestOrigin.toLowerCase(), entry.trim().toLowerCase())
  const entryCheck = validateOriginEntry(entry, false)
  const entryProblems = entryCheck.severity === 'error' ? entryCheck.problems : []
  const entryCanonical = canonicalizeOrigin(entry)
  const listed = entryCanonical === undefined ? undefined : parseOrigin(entryCanonical)
  if (!listed) {
    const problem = `${requestOrigin} is not ${entry.trim()}. Add ${requestCanonical} to cors.allowedOrigins if that site should read responses.`
    return { entry, score: 100, spelling, differences: [problem, ...entryProblems] }
  }

  const differences: string[] = []
  let score = 0
  const add = (weight: number, sentence: string) => {
    score += weight
    differences.push(sentence)
  }

  if (wanted.scheme !== listed.scheme) {
    add(
      1,
      `The scheme differs: the page is served over ${wanted.scheme}, but the entry ${entry.trim()} is for ${listed.scheme}. Add ${requestCanonical} to cors.allowedOrigins, or serve the page over ${listed.scheme}.`,
    )
  }
  if (wanted.host !== listed.host) {
    const relation = relateHosts(wanted.host, listed.host)
    add(
      relation === 'unrelated' ? 3 : 1.5,
      describeHost(relation, wanted, listed, requestCanonical),
    )
  }
  // Two default ports differ only because the schemes do, which is already said.
  const bothDefault = wanted.portText === undefined && listed.portText === undefined
  if (wanted.port !== listed.port && !bothDefault) {
    // Moving the page to the listed port only helps when that is all that differs about it.
    const movePage = wanted.host === listed.host ? `, or run the page on port ${listed.port}` : ''
    add(
      1,
      `The port differs (${wanted.port} vs ${listed.port}): every port is a separate origin. Add ${requestCanonical} to cors.allowedOrigins${movePage}.`,
    )
  }

  // Spelling differences weigh little: they are the near misses worth pointing at first.
  for (const problem of entryProblems) add(0.1, problem)
  for (const problem of findOriginFormProblems(request)) {
    add(0.1, describeRequestProblem(problem, requestOrigin, request, requestCanonical))
  }

  return { entry, score, spelling, differences }
}

function relateHosts(requestHost: string, entryHost: string): HostRelation {
  if (isLoopbackHost(requestHost) && isLoopbackHost(entryHost)) return 'loopback'
  if (entryHost.endsWith(`.${requestHost}`)) return 'parent'
  if (requestHost.endsWith(`.${entryHost}`)) return 'subdomain'
  if (requestHost.startsWith(entryHost)) return 'starts-with'
  if (requestHost.endsWith(entryHost)) return 'ends-with'
  return 'unrelated'
}

function describeHost(
  relation: HostRelation,
  wanted: ParsedOrigin,
  listed: ParsedOrigin,
  requestCanonical: string,
): string {
  const [asked, allowed] = [wanted.host, listed.host]
  const addIt = `Add ${requestCanonical} to cors.allowedOrigins if that site should have access.`
  switch (relation) {
    case 'loopback':
      return `The host differs: ${asked} is not ${allowed}. Browsers treat them as different origins even though both reach this machine. Add ${requestCanonical} to cors.allowedOrigins, or open the page via ${allowed}.`
    case 'parent':
      return `The host differs: ${asked} is a parent domain of ${allowed}, and an entry covers exactly one host, never its parent domain or subdomains. ${addIt}`
    case 'subdomain':
      return `The host differs: ${asked} is a subdomain of ${allowed}, and an entry covers exactly one host, never its subdomains. ${addIt}`
    case 'starts-with':
      return `The host differs: ${asked} merely starts with ${allowed}; it is a different site, which prefix or pattern matching would wrongly let in. Add it only if you control ${asked}.`
    case 'ends-with':
      return `The host differs: ${asked} merely ends with ${allowed}; it is a different host, which suffix matching would wrongly let in. Add it only if you control ${asked}.`
    case 'unrelated':
      return `The host differs: ${asked} is not ${allowed}. ${addIt}`
  }
}

function describeRequestProblem(
  problem: OriginFormProblem,
  value: string,
  parsed: ParsedOrigin,
  canonical: string,
): string {
  const fix = `a browser would send ${canonical}, so the byte-exact compare fails. Make the client send ${canonical}.`
  switch (problem) {
    case 'user-info':
      return `The request's Origin ${value} contains a user name; ${fix}`
    case 'unicode-host':
      return `The request's Origin ${value} has a non-ASCII host; ${fix}`
    case 'upper-case':
      return `The request's Origin ${value} has upper-case letters; ${fix}`
    case 'default-port':
      return `The request's Origin ${value} names the default port ${parsed.port}, which browsers leave out; ${fix}`
    case 'trailing-slash':
      return `The request's Origin ${value} ends with a slash; ${fix}`
    case 'path':
      return `The request's Origin ${value} carries a path or query (${parsed.rest}); ${fix}`
  }
}

function describeNullOrigin(candidates: readonly string[]): OriginDifference {
  const misspelled = candidates.find((entry) => entry.trim().toLowerCase() === 'null')
  if (misspelled !== undefined) {
    const problem = `The entry "${misspelled}" is not written exactly null, the way browsers send it, so it never matches. Change it to null.`
    return { nearest: misspelled, differences: [problem] }
  }

  const problem =
    "The request's Origin is null, which browsers send from sandboxed iframes, pages opened from file: and after a cross-origin redirect, and the allowlist has no null entry. Serve the page from a real origin (for example http://localhost:3000) and list that; add null only if you accept every such page."
  return { differences: [problem] }
}

/** Levenshtein distance; only breaks ties between equally near entries. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
