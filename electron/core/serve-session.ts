import { describeDemo } from './demo'
import type { Logger } from './logger'
import type { Tollgate } from './tollgate'

/** The lines a headless entry prints once the gateway runs: where everything is. */
export function describeRunning(tollgate: Tollgate): string {
  return (
    `Tollgate is running.\n  proxy     ${tollgate.url}\n  upstream  ${tollgate.upstream}\n` +
    `  database  ${tollgate.config().db}\n  ui        ${tollgate.control?.uiUrl ?? ''}\n` +
    describeDemo(tollgate.demo)
  )
}

/** Resolves at the first SIGINT or SIGTERM, so the caller can close the gateway cleanly. */
export function waitForStopSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      logger.info(`${signal}: stopping, writing the last log rows`)
      resolve()
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
}
