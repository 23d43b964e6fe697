#!/usr/bin/env node
import { TollgateError } from '../shared/errors'
import { parseCommandLine, USAGE, UsageError } from './core/command-line'
import { createLogger } from './core/logger'
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

  const logger = createLogger('tollgate', { level: command.verbose ? 'debug' : 'info' })
  let tollgate
  try {
    tollgate = await createTollgate({ ...command.options, logger })
  } catch (error) {
    const prefix = error instanceof TollgateError ? '' : 'could not start: '
    process.stderr.write(`tollgate: ${prefix}${(error as Error).message}\n`)
    return 1
  }

  process.stdout.write(
    `Tollgate is running.\n  proxy     ${tollgate.url}\n  upstream  ${tollgate.upstream}\n` +
      `  database  ${tollgate.config().db}\nPoint your app at the proxy URL. Ctrl-C stops.\n`,
  )

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal}: stopping, writing the last log rows`)
      resolve()
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
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
