import type { TollgateConfig } from '../../shared/config'
import { validateOriginList } from '../../shared/origin'
import type { Logger } from './logger'

/** Every problem with a config that is valid JSON but will not behave as its author expects. */
export function findConfigWarnings(config: TollgateConfig): string[] {
  const { allowedOrigins, allowCredentials } = config.cors
  const warnings: string[] = []

  for (const result of validateOriginList(allowedOrigins, allowCredentials).results) {
    for (const problem of result.problems) {
      warnings.push(`cors.allowedOrigins ${JSON.stringify(result.entry)}: ${problem}`)
    }
  }
  const { limit, perKey, enforce } = config.rateLimit
  const starved = [
    ...(limit === 0 ? ['rateLimit.limit'] : []),
    ...Object.entries(perKey)
      .filter(([, override]) => override.limit === 0)
      .map(([key]) => `rateLimit.perKey ${JSON.stringify(key)} limit`),
  ]
  if (enforce) {
    for (const field of starved) {
      warnings.push(
        `${field} 0: every request it covers is refused with a 429. Use 1 or more, or set rateLimit.enforce to false to count without refusing.`,
      )
    }
  }
  if (
    config.listen.host !== '127.0.0.1' &&
    config.listen.host !== 'localhost' &&
    config.listen.host !== '::1'
  ) {
    warnings.push(
      `listen.host ${JSON.stringify(config.listen.host)}: the proxy is reachable from other machines, and so is every upstream credential it forwards. Use 127.0.0.1 unless you mean it.`,
    )
  }
  return warnings
}

/**
 * Returns a function that logs a config's warnings, each distinct one only once per run, so a
 * config saved ten times with the same mistake warns once.
 */
export function createConfigWarner(logger: Logger): (config: TollgateConfig) => void {
  const seen = new Set<string>()
  return (config) => {
    for (const warning of findConfigWarnings(config)) {
      if (seen.has(warning)) continue
      seen.add(warning)
      logger.warn(warning)
    }
  }
}
