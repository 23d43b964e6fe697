/**
 * `tollgate replay <file.har | session>`: starts a gateway, imports the HAR file into a new
 * session when given one, replays it through the gateway with a progress line on stderr, and
 * prints the summary table on stdout. Exits 1 when any request failed.
 */

import fs from 'node:fs'
import path from 'node:path'
import type { ReplayProgress } from '../../../shared/api'
import type { TollgateConfigInput } from '../../../shared/config'
import type { ReplayCommand } from '../command-line'
import { defaultDbPath } from '../data-dir'
import { importHar } from '../har'
import type { Logger } from '../logger'
import type { MockOptions } from '../mock'
import { createTollgate, type Tollgate } from '../tollgate'
import { replayTraffic } from './replay'
import { formatFailures, formatProgress, formatReplaySummary } from './replay-report'

/** The parsed command line, and where the command writes. */
export interface ReplayCommandInput {
  replay: ReplayCommand
  options: TollgateConfigInput
  mock?: MockOptions
  logger: Logger
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
}

/** Plain progress lines are this far apart when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 2000
const TTY_PROGRESS_MS = 100

/** Runs the command; resolves with the exit code. */
export async function runReplayCommand(input: ReplayCommandInput): Promise<number> {
  const { replay, stderr } = input
  const file = isFile(replay.source) ? path.resolve(replay.source) : undefined
  // Imported sessions are named "<file> <time>", so a name ending in .har is a missing file.
  if (!file && /\.har$/i.test(replay.source)) {
    stderr.write(
      `tollgate: there is no HAR file at ${path.resolve(replay.source)}. Check the path; to replay a session from the log, give the session's name.\n`,
    )
    return 1
  }
  // A fresh session per import, so replaying the same file twice into one log never mixes them.
  const session = file ? `${path.basename(file)} ${new Date().toISOString()}` : replay.source
  const db = input.options.db ?? (file ? ':memory:' : defaultDbPath())
  const mock =
    input.mock && file && path.resolve(input.mock.session) === file
      ? { ...input.mock, session }
      : input.mock

  let tollgate: Tollgate
  try {
    tollgate = await createTollgate({
      ...input.options,
      db,
      listen: { ...input.options.listen, port: input.options.listen?.port ?? 0 },
      // A db that is not a usable path is left for the config check to report.
      settingsPath:
        typeof db !== 'string' || db.trim() === '' || db === ':memory:'
          ? undefined
          : path.join(path.dirname(db), 'settings.json'),
      logger: input.logger,
      mock,
    })
  } catch (error) {
    stderr.write(`tollgate: could not start: ${(error as Error).message}\n`)
    return 1
  }

  try {
    if (file) {
      const imported = await importHar(tollgate.store, file, {
        session,
        keyHeaders: tollgate.config().keys.headers,
      })
      stderr.write(
        `imported ${imported.imported} entries from ${file} into session "${session}"` +
          (imported.skipped > 0 ? `, ${imported.skipped} skipped` : '') +
          '\n',
      )
    }

    const progress = createProgressLine(stderr)
    const result = await replayTraffic(
      tollgate,
      { session },
      {
        pacing: replay.pacing,
        concurrency: replay.concurrency,
        onProgress: progress.update,
      },
    )
    progress.end()

    input.stdout.write(formatReplaySummary(result, tollgate.url))
    stderr.write(formatFailures(result))
    return result.totals.failed > 0 ? 1 : 0
  } catch (error) {
    stderr.write(`tollgate: ${(error as Error).message}\n`)
    return 1
  } finally {
    await tollgate.close()
  }
}

/**
 * Progress on stderr: one line rewritten in place on a terminal, else a plain line every few
 * seconds, so logs of CI runs stay readable.
 */
function createProgressLine(stderr: ReplayCommandInput['stderr']) {
  const tty = stderr.isTTY === true
  const every = tty ? TTY_PROGRESS_MS : PLAIN_PROGRESS_MS
  let last: ReplayProgress | undefined
  let shownAt = -Infinity
  let width = 0

  const show = (progress: ReplayProgress) => {
    const line = formatProgress(progress)
    if (tty) {
      stderr.write(`\r${line.padEnd(width)}`)
      width = line.length
    } else {
      stderr.write(`${line}\n`)
    }
    shownAt = Date.now()
  }

  return {
    update(progress: ReplayProgress) {
      last = progress
      if (Date.now() - shownAt >= every) show(progress)
    },
    end() {
      if (last !== undefined) show(last)
      if (tty) stderr.write('\n')
    },
  }
}

function isFile(source: string): boolean {
  try {
    return fs.statSync(source).isFile()
  } catch {
    return false
  }
}
