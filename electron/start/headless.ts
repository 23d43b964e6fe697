import path from 'node:path'
import { TollgateError } from '../../shared/errors'
import { parseCommandLine, USAGE, UsageError } from '../core/command-line'
import { defaultDataDir } from '../core/data-dir'
import { createLogger } from '../core/logger'
import { describeRunning, waitForStopSignal } from '../core/serve-session'
import { createTollgate } from '../core/tollgate'
import { openInBrowser } from './open-browser'

/**
 * The gateway as the headless command runs it, plus the control API and UI, which open in the
 * system browser. Takes the same flags; resolves with the exit code once a signal stopped it.
 */
export async function runHeadless(argv: string[], root: string): Promise<number> {
  let command
  try {
    command = parseCommandLine(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`tollgate: ${error.message}\n`)
    return 2
  }
  if (command.help) {
    process.stdout.write(USAGE)
    return 0
  }

  const logger = createLogger('tollgate', { level: command.verbose ? 'debug' : 'info' })
  let tollgate
  try {
    tollgate = await createTollgate({
      ...command.options,
      logger,
      settingsPath: path.join(defaultDataDir(), 'settings.json'),
      control: { rendererDir: path.join(root, 'out', 'renderer') },
      // A first run should show every verdict at once; --no-demo turns the pages off.
      demo: command.demo ?? true,
    })
  } catch (error) {
    const prefix = error instanceof TollgateError ? '' : 'could not start: '
    process.stderr.write(`tollgate: ${prefix}${(error as Error).message}\n`)
    return 1
  }

  const uiUrl = tollgate.control?.uiUrl ?? ''
  process.stdout.write(describeRunning(tollgate))
  const unopened = await openInBrowser(uiUrl)
  process.stdout.write(
    unopened
      ? `Open the UI address in a browser (${unopened}, so none was opened). Ctrl-C stops.\n`
      : 'The UI is open in your browser. Ctrl-C stops.\n',
  )

  await waitForStopSignal(logger)
  await tollgate.close()
  return 0
}
