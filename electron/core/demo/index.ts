/**
 * The demo: a page that makes real cross-origin calls through Tollgate, served from two
 * loopback origins, one allowed for the run and one not, so a first run shows every verdict.
 */

import type { TollgateConfig, TollgateConfigInput } from '../../../shared/config'
import { resolveConfig } from '../../../shared/config-validate'
import type { Logger } from '../logger'
import { startDemoPages, type DemoPages } from './demo-server'

export type { DemoPages } from './demo-server'

/** Where the two demo pages listen; each port defaults to 0, any free one. */
export interface DemoOptions {
  port?: number
  blockedPort?: number
}

/** The key the demo's requests carry, so its budget has a card of its own. */
export const DEMO_API_KEY = 'sk_test_demo_7c41f2b9'

interface StartDemoInput {
  options: DemoOptions
  config: TollgateConfig
  /** The proxy's port; the pages reach it on the loopback host they are served from. */
  proxyPort: number
  /** A loopback name for where the proxy listens. */
  host: string
  logger: Logger
}

/**
 * Starts the demo pages and returns the config to run with: the allowed page's origin joins the
 * allowlist for this run. It is never saved (see `withoutDemoOrigin`), and the ports change
 * from run to run, so nothing the user keeps is touched.
 */
export async function startDemo(
  input: StartDemoInput,
): Promise<{ pages: DemoPages; config: TollgateConfig }> {
  const { config, logger } = input
  const hostForUrl = input.host.includes(':') ? `[${input.host}]` : input.host
  const pages = await startDemoPages({
    proxyUrl: `http://${hostForUrl}:${input.proxyPort}`,
    host: input.host,
    port: input.options.port,
    blockedPort: input.options.blockedPort,
    apiKey: DEMO_API_KEY,
  })

  const origins = config.cors.allowedOrigins
  const allowsAll = origins.length === 1 && origins[0] === '*'
  let next = config
  if (!allowsAll && !origins.includes(pages.allowedOrigin)) {
    next = resolveConfig({ cors: { allowedOrigins: [...origins, pages.allowedOrigin] } }, config)
  }

  logger.info(
    `demo page on ${pages.allowedUrl}: its origin ${pages.allowedOrigin} is allowed for this run (not saved)`,
  )
  logger.info(`the same page from an origin not on the allowlist: ${pages.blockedUrl}`)
  if (allowsAll) {
    logger.info('the allowlist is *, so the second demo page is allowed as well')
  }
  return { pages, config: next }
}

/** A config change without the demo's origin, so saving the rules never keeps a run's port. */
export function withoutDemoOrigin(
  change: TollgateConfigInput,
  demoOrigin: string | undefined,
): TollgateConfigInput {
  const origins = change.cors?.allowedOrigins
  if (demoOrigin === undefined || !origins?.includes(demoOrigin)) return change
  return {
    ...change,
    cors: { ...change.cors, allowedOrigins: origins.filter((origin) => origin !== demoOrigin) },
  }
}

/** The lines the command prints about the demo pages, or nothing when they are off. */
export function describeDemo(demo: { allowedUrl: string; blockedUrl: string } | undefined) {
  if (!demo) return ''
  return (
    `  demo      ${demo.allowedUrl}  (its origin is allowed for this run)\n` +
    `            ${demo.blockedUrl}  (an origin not on the allowlist)\n`
  )
}
