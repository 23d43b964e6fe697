import type { TollgateConfig } from './config'
import { TollgateError } from './errors'

type Problems = string[]
type Checker = (value: unknown, path: string, problems: Problems) => unknown

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Merges `input` (a config file, library options or a UI change) over `base` and checks every
 * field. Throws one `CONFIG_INVALID` error listing each bad field with its value and the fix;
 * `base` is never modified, so a caller keeps its last good config.
 */
export function resolveConfig(input: unknown, base: TollgateConfig): TollgateConfig {
  const problems: Problems = []
  if (!isObject(input)) {
    throw new TollgateError(
      'CONFIG_INVALID',
      `The config must be a JSON object, got ${show(input)}.`,
    )
  }

  const merged = structuredClone(base) as unknown as Record<string, Record<string, unknown>>
  for (const [section, value] of Object.entries(input)) {
    // Own keys only: `__proto__` or `constructor` must not reach Object.prototype through here.
    const checker = Object.hasOwn(SCHEMA, section) ? SCHEMA[section] : undefined
    if (!checker) {
      problems.push(`${section}: unknown field. Known fields: ${Object.keys(SCHEMA).join(', ')}.`)
      continue
    }
    if (typeof checker === 'function') {
      const checked = checker(value, section, problems)
      if (checked !== INVALID) merged[section] = checked as Record<string, unknown>
      continue
    }
    if (!isObject(value)) {
      problems.push(`${section}: expected an object, got ${show(value)}.`)
      continue
    }
    for (const [field, fieldValue] of Object.entries(value)) {
      const fieldChecker = Object.hasOwn(checker, field) ? checker[field] : undefined
      const path = `${section}.${field}`
      if (!fieldChecker) {
        problems.push(
          `${path}: unknown field. Known fields of ${section}: ${Object.keys(checker).join(', ')}.`,
        )
        continue
      }
      const checked = fieldChecker(fieldValue, path, problems)
      if (checked !== INVALID) merged[section]![field] = checked
    }
  }

  if (problems.length > 0) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n')
    throw new TollgateError('CONFIG_INVALID', `The config was refused:\n${list}`)
  }
  return merged as unknown as TollgateConfig
}

const INVALID = Symbol('invalid')

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Checker =>
  (value, path, problems) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
      return value
    }
    problems.push(`${path}: expected a whole number from ${min} to ${max}, got ${show(value)}.`)
    return INVALID
  }

const boolean: Checker = (value, path, problems) => {
  if (typeof value === 'boolean') return value
  problems.push(`${path}: expected true or false, got ${show(value)}.`)
  return INVALID
}

const text: Checker = (value, path, problems) => {
  if (typeof value === 'string' && value.trim() !== '') return value
  problems.push(`${path}: expected a non-empty string, got ${show(value)}.`)
  return INVALID
}

const list =
  (item: (entry: string) => string | undefined, allowEmpty = true): Checker =>
  (value, path, problems) => {
    if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
      const wanted = allowEmpty ? 'a list of strings' : 'a non-empty list of strings'
      problems.push(`${path}: expected ${wanted}, got ${show(value)}.`)
      return INVALID
    }
    let ok = true
    value.forEach((entry, index) => {
      const problem =
        typeof entry === 'string' ? item(entry) : `expected a string, got ${show(entry)}`
      if (problem) {
        problems.push(`${path}[${index}]: ${problem}.`)
        ok = false
      }
    })
    return ok ? [...value] : INVALID
  }

const headerName = (entry: string) =>
  TOKEN.test(entry)
    ? undefined
    : `${show(entry)} is not a valid header name (letters, digits and - only)`
const methodName = (entry: string) =>
  TOKEN.test(entry) ? undefined : `${show(entry)} is not a valid HTTP method`
const anyString = (entry: string) => (entry === '' ? 'an empty string is not an origin' : undefined)

const upstream: Checker = (value, path, problems) => {
  if (value === undefined || value === null) return undefined
  const fix = 'Use an absolute http or https URL such as http://127.0.0.1:9000.'
  if (typeof value !== 'string') {
    problems.push(`${path}: expected a URL string, got ${show(value)}. ${fix}`)
    return INVALID
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problems.push(`${path}: ${show(value)} is not a URL. ${fix}`)
    return INVALID
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `${path}: ${show(value)} uses ${url.protocol}, which Tollgate cannot forward to. ${fix}`,
    )
    return INVALID
  }
  return value
}

const maxAge: Checker = (value, path, problems) =>
  value === undefined || value === null ? undefined : integer(0, 86_400)(value, path, problems)

const perKey: Checker = (value, path, problems) => {
  if (!isObject(value)) {
    problems.push(`${path}: expected an object of key -> { limit, windowMs }, got ${show(value)}.`)
    return INVALID
  }
  const result: Record<string, { limit?: number; windowMs?: number }> = {}
  let ok = true
  for (const [key, override] of Object.entries(value)) {
    const at = `${path}[${JSON.stringify(key)}]`
    if (!isObject(override)) {
      problems.push(`${at}: expected { "limit": n } or { "windowMs": n }, got ${show(override)}.`)
      ok = false
      continue
    }
    const entry: { limit?: number; windowMs?: number } = {}
    for (const [field, fieldValue] of Object.entries(override)) {
      const checker = field === 'limit' ? integer(0) : field === 'windowMs' ? integer(1) : undefined
      if (!checker) {
        problems.push(`${at}.${field}: unknown field. A per-key override takes limit and windowMs.`)
        ok = false
        continue
      }
      const checked = checker(fieldValue, `${at}.${field}`, problems)
      if (checked === INVALID) ok = false
      else entry[field as 'limit' | 'windowMs'] = checked as number
    }
    // Defined, not assigned, so a key spelled `__proto__` stays an ordinary key.
    Object.defineProperty(result, key, {
      value: entry,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return ok ? result : INVALID
}

const SCHEMA: Record<string, Checker | Record<string, Checker>> = {
  listen: { host: text, port: integer(0, 65_535) },
  upstream,
  keys: { headers: list(headerName, false) },
  rateLimit: {
    limit: integer(0),
    windowMs: integer(1),
    perKey,
    enforce: boolean,
    draftHeaders: boolean,
  },
  cors: {
    allowedOrigins: list(anyString),
    allowCredentials: boolean,
    allowedMethods: list(methodName),
    allowedHeaders: list(headerName),
    exposeHeaders: list(headerName),
    maxAge,
  },
  capture: { maxBodyBytes: integer(0, 1024 * 1024 * 1024) },
  retention: { maxRows: integer(0), maxAgeMs: integer(0) },
  db: text,
}

/** Parses a duration such as `60000`, `500ms`, `60s` or `1m` into milliseconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim())
  if (!match) return undefined
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 'ms']!
  const ms = Number(match[1]) * factor
  return Number.isInteger(ms) && ms > 0 ? ms : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  const json = JSON.stringify(value)
  return json.length > 60 ? json.slice(0, 57) + '...' : json
}
