#!/usr/bin/env node
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { TollgateError } from '../shared/errors'
import { parseCommandLine, USAGE, UsageError } from './core/command-line'
import { defaultDbPath } from './core/data-dir'
import { createLogger } from './core/logger'
import { runReplayCommand } from './core/replay/replay-command'
import { describeRunning, waitForStopSignal } from './core/serve-session'
import { createTollgate } from './core/tollgate'

async function main(argv: string[]): Promise<number> {
  let command
  try {
    command = parseCommandLine(argv)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tollgate: ${error.message}\n`)
      return 2
    }
    throw error
  }
  if (command.help) {
    process.stdout.write(USAGE)
    return 0
  }

  if (command.replay) {
    // A replay's own output is its progress and summary; the gateway's lifecycle lines are noise.
    return runReplayCommand({
      replay: command.replay,
      options: command.options,
      mock: command.mock,
      logger: createLogger('tollgate', { level: command.verbose ? 'debug' : 'warn' }),
      stdout: process.stdout,
      stderr: process.stderr,
    })
  }

  const logger = createLogger('tollgate', { level: command.verbose ? 'debug' : 'info' })
  let tollgate
  try {
    // Settings changed in the UI live next to the traffic log; an in-memory log keeps neither.
    // A db that is not a usable path is reported by the config check below, with every other bad
    // field, rather than failing here on its own.
    const db = command.options.db ?? defaultDbPath()
    const settingsPath =
      typeof db !== 'string' || db.trim() === '' || db === ':memory:'
        ? undefined
        : path.join(path.dirname(db), 'settings.json')
    // The built CLI sits in out/main, beside the built UI in out/renderer.
    const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url))
    tollgate = await createTollgate({
      ...command.options,
      logger,
      settingsPath,
      control: { rendererDir },
      demo: command.demo ?? false,
      mock: command.mock,
    })
  } catch (error) {
    const prefix = error instanceof TollgateError ? '' : 'could not start: '
    process.stderr.write(`tollgate: ${prefix}${(error as Error).message}\n`)
    return 1
  }

  process.stdout.write(
    describeRunning(tollgate) +
      'Point your app at the proxy URL; open the UI URL (it carries a secret token). Ctrl-C stops.\n',
  )

  await waitForStopSignal(logger)
  await tollgate.close()
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`tollgate: unexpected failure: ${(error as Error).stack ?? error}\n`)
    process.exitCode = 1
  },
)
