import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { TollgateConfigInput } from '../../shared/config'
import { parseDuration } from '../../shared/config-validate'

/** What `tollgate --help` prints. */
export const USAGE = `Usage: tollgate [serve] [options]

Runs the gateway headless: requests to the proxy are rate limited, checked against the CORS
allowlist, forwarded to the upstream and logged.

Options:
  --port <n>             port to listen on (0 picks a free one; default 8787)
  --host <address>       address to listen on (default 127.0.0.1)
  --upstream <url>       the API to forward to (default: a built-in sample API)
  --allow-origin <o>     an origin allowed by CORS, exactly as browsers send it; repeatable
  --limit <n>            requests per key per window (default 60)
  --window <duration>    window length: 60000, 60s or 1m (default 1m)
  --config <file.json>   config file; flags override it
  --db <file>            traffic log (SQLite); ':memory:' keeps nothing
  --verbose              log debug lines
  -h, --help             show this help
`

/** Thrown for a bad command line; printed without a stack. */
export class UsageError extends Error {}

/** Turns command-line flags (and the config file they name) into createTollgate options. */
export function parseCommandLine(argv: string[]): {
  options: TollgateConfigInput
  verbose: boolean
  help: boolean
} {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        upstream: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        limit: { type: 'string' },
        window: { type: 'string' },
        config: { type: 'string' },
        db: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run tollgate --help for the options.`)
  }
  const { values, positionals } = parsed
  const command = positionals[0] ?? 'serve'
  if (command !== 'serve' || positionals.length > 1) {
    throw new UsageError(
      `Unknown command "${positionals.join(' ')}". Run tollgate --help for the commands.`,
    )
  }

  const options: TollgateConfigInput = values.config ? readConfigFile(values.config) : {}
  const set = <K extends keyof TollgateConfigInput>(section: K, change: object) => {
    options[section] = { ...(options[section] as object), ...change } as TollgateConfigInput[K]
  }

  if (values.port !== undefined) set('listen', { port: wholeNumber('--port', values.port) })
  if (values.host !== undefined) set('listen', { host: values.host })
  if (values.upstream !== undefined) options.upstream = values.upstream
  if (values['allow-origin']) set('cors', { allowedOrigins: values['allow-origin'] })
  if (values.limit !== undefined) set('rateLimit', { limit: wholeNumber('--limit', values.limit) })
  if (values.window !== undefined) {
    const windowMs = parseDuration(values.window)
    if (windowMs === undefined) {
      throw new UsageError(
        `--window takes a duration such as 60000, 60s or 1m, got "${values.window}".`,
      )
    }
    set('rateLimit', { windowMs })
  }
  if (values.db !== undefined) options.db = values.db
  return { options, verbose: values.verbose ?? false, help: values.help ?? false }
}

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number, got "${value}".`)
  return Number(value)
}

function readConfigFile(file: string): TollgateConfigInput {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`Cannot read the config file ${file}: ${(error as Error).message}.`)
  }
  let parsed: TollgateConfigInput
  try {
    parsed = JSON.parse(text) as TollgateConfigInput
  } catch (error) {
    throw new UsageError(`The config file ${file} is not valid JSON: ${(error as Error).message}.`)
  }
  // A database path in a config file is relative to that file, not to where tollgate runs.
  if (typeof parsed?.db === 'string' && parsed.db !== ':memory:') {
    parsed.db = path.resolve(path.dirname(file), parsed.db)
  }
  return parsed
}
