import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { ReplayPacing } from '../../shared/api'
import type { TollgateConfigInput } from '../../shared/config'
import { parseDuration } from '../../shared/config-validate'
import type { MockOptions } from './mock'

/** What `tollgate --help` prints. */
export const USAGE = `Usage: tollgate [serve] [options]
       tollgate replay <file.har | session> [replay options] [options]

serve (the default) runs the gateway headless: requests to the proxy are rate limited, checked
against the CORS allowlist, forwarded to the upstream and logged.

replay starts a gateway with these options (on a free port unless --port is given), imports the
HAR file into a new session when given a file, sends every recorded request again through the
gateway, so today's limits and CORS rules apply, and prints per key how the answers changed.
Without --db a HAR file is replayed into a log in memory, a session is read from the default log.
It exits with 1 when any request failed: it could not be sent (its recorded method, URL or
headers are not valid HTTP), no complete response came back, or Tollgate answered 502/504 itself
because the upstream was unreachable or too slow. 4xx and 5xx answers, 429s included, are results,
not failures.

Replay options:
  --speed <x>            recorded timing sped up x times (2 = twice as fast, 0.5 = half; default 1)
  --rate <n>             n requests a second, evenly spaced, instead of the recorded timing
  --fastest              as fast as the concurrency allows
  --concurrency <n>      requests in flight at most (default 32)

Options:
  --port <n>             port to listen on (0 picks a free one; default 8787)
  --host <address>       address to listen on (default 127.0.0.1)
  --upstream <url>       the API to forward to (default: a built-in sample API)
  --allow-origin <o>     an origin allowed by CORS, exactly as browsers send it; repeatable
  --limit <n>            requests per key per window (default 60)
  --window <duration>    window length: 60000, 60s or 1m (default 1m)
  --config <file.json>   config file; flags override it
  --db <file>            traffic log (SQLite); ':memory:' keeps nothing
  --demo, --no-demo      serve the demo page, which calls the proxy from two loopback origins
                         (on by default in npm start, off in tollgate)
  --mock <session>       answer from a recorded session instead of the upstream: the nth request
                         with a given method, path and query gets the nth recorded answer
  --mock-exhausted <p>   when the recording has no more answers: 404 (default) or forward;
                         with tollgate replay x.har, --mock x.har answers from the file itself
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
  /** `--demo` or `--no-demo`; undefined when neither was given, so each entry picks its default. */
  demo?: boolean
  mock?: MockOptions
  /** Set for `tollgate replay`: what to replay and how fast. */
  replay?: ReplayCommand
} {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      allowNegative: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        upstream: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        limit: { type: 'string' },
        window: { type: 'string' },
        config: { type: 'string' },
        db: { type: 'string' },
        demo: { type: 'boolean' },
        mock: { type: 'string' },
        'mock-exhausted': { type: 'string' },
        speed: { type: 'string' },
        rate: { type: 'string' },
        fastest: { type: 'boolean' },
        concurrency: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run tollgate --help for the options.`)
  }
  const { values, positionals } = parsed
  const command = positionals[0] ?? 'serve'
  if (command === 'replay' && positionals.length !== 2) {
    throw new UsageError(
      'tollgate replay takes one HAR file or session name, e.g. tollgate replay checkout.har.',
    )
  }
  if ((command !== 'serve' || positionals.length > 1) && command !== 'replay') {
    throw new UsageError(
      `Unknown command "${positionals.join(' ')}". Run tollgate --help for the commands.`,
    )
  }
  const replay = command === 'replay' ? readReplayFlags(positionals[1]!, values) : undefined
  if (replay === undefined) refuseReplayFlags(values)

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
  return {
    options,
    verbose: values.verbose ?? false,
    help: values.help ?? false,
    demo: values.demo,
    mock: readMockFlags(values.mock, values['mock-exhausted']),
    replay,
  }
}

/** `tollgate replay`: the file or session, and the pacing its flags ask for. */
export interface ReplayCommand {
  source: string
  pacing: ReplayPacing
  concurrency?: number
}

type ReplayFlags = { speed?: string; rate?: string; fastest?: boolean; concurrency?: string }

function readReplayFlags(source: string, flags: ReplayFlags): ReplayCommand {
  const given = [flags.speed && '--speed', flags.rate && '--rate', flags.fastest && '--fastest']
  const chosen = given.filter(Boolean)
  if (chosen.length > 1) {
    throw new UsageError(`${chosen.join(' and ')} cannot be combined: pick one pacing.`)
  }

  let pacing: ReplayPacing = { mode: 'original' }
  if (flags.speed !== undefined)
    pacing = { mode: 'original', speed: positive('--speed', flags.speed) }
  if (flags.rate !== undefined) pacing = { mode: 'rate', rate: positive('--rate', flags.rate) }
  if (flags.fastest) pacing = { mode: 'fastest' }
  const command: ReplayCommand = { source, pacing }
  if (flags.concurrency !== undefined) {
    const concurrency = wholeNumber('--concurrency', flags.concurrency)
    if (concurrency < 1) throw new UsageError('--concurrency takes a whole number of 1 or more.')
    command.concurrency = concurrency
  }
  return command
}

function refuseReplayFlags(flags: ReplayFlags): void {
  for (const flag of ['speed', 'rate', 'fastest', 'concurrency'] as const) {
    if (flags[flag] !== undefined) {
      throw new UsageError(`--${flag} applies to tollgate replay only. Run tollgate --help.`)
    }
  }
}

function readMockFlags(session?: string, exhausted?: string): MockOptions | undefined {
  if (exhausted !== undefined && exhausted !== '404' && exhausted !== 'forward') {
    throw new UsageError(`--mock-exhausted takes 404 or forward, got "${exhausted}".`)
  }
  if (session === undefined) {
    if (exhausted !== undefined) throw new UsageError('--mock-exhausted needs --mock <session>.')
    return undefined
  }
  if (session.trim() === '') throw new UsageError('--mock takes the name of a recorded session.')
  return exhausted === undefined ? { session } : { session, whenExhausted: exhausted }
}

function positive(flag: string, value: string): number {
  const number = Number(value)
  if (/^\d+(\.\d+)?$/.test(value) && number > 0) return number
  throw new UsageError(`${flag} takes a number above 0 such as 2 or 0.5, got "${value}".`)
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
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`The config file ${file} is not valid JSON: ${(error as Error).message}.`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const shown = JSON.stringify(parsed)
    throw new UsageError(
      `The config file ${file} holds ${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}, not a JSON object. Write its settings as one object, such as {"upstream": "https://api.example.com", "rateLimit": {"limit": 60}}.`,
    )
  }
  const options = parsed as TollgateConfigInput
  // A database path in a config file is relative to that file, not to where tollgate runs.
  if (typeof options.db === 'string' && options.db.trim() !== '' && options.db !== ':memory:') {
    options.db = path.resolve(path.dirname(file), options.db)
  }
  return options
}
