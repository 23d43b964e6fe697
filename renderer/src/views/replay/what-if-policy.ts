/**
 * The policy a "what if" run tries instead of the current one: the global limit and window and
 * the allowed origins, as typed, and the config change `whatif.run` takes from them.
 */

import type { TollgateConfig, TollgateConfigInput } from '../../../../shared/config'
import { parseDuration } from '../../../../shared/config-validate'
import { formatWindow } from '../../lib/format'
import { toDurationText } from '../rules/limits-editor'

export interface PolicyDraft {
  limit: string
  window: string
  /** One origin per line. */
  origins: string
}

export function toPolicyDraft(config: TollgateConfig): PolicyDraft {
  return {
    limit: String(config.rateLimit.limit),
    window: toDurationText(config.rateLimit.windowMs),
    origins: config.cors.allowedOrigins.join('\n'),
  }
}

/**
 * The change from `config` the draft describes: undefined when it changes nothing, so the run
 * then only compares the current policy with the recording.
 */
export function buildPolicyChange(
  draft: PolicyDraft,
  config: TollgateConfig,
): { change?: TollgateConfigInput; problems: string[] } {
  const problems: string[] = []
  const limit = /^\s*\d+\s*$/.test(draft.limit) ? Number(draft.limit) : undefined
  const windowMs = parseDuration(draft.window)
  if (limit === undefined) problems.push(`Limit: "${draft.limit}" is not a whole number.`)
  if (windowMs === undefined) problems.push(`Window: "${draft.window}" is not a duration.`)
  if (limit === undefined || windowMs === undefined) return { problems }

  const origins = readOrigins(draft.origins)
  const change: TollgateConfigInput = {}
  if (limit !== config.rateLimit.limit || windowMs !== config.rateLimit.windowMs) {
    change.rateLimit = { limit, windowMs }
  }
  if (origins.join('\n') !== config.cors.allowedOrigins.join('\n')) {
    change.cors = { allowedOrigins: origins }
  }
  return { change: Object.keys(change).length > 0 ? change : undefined, problems }
}

/** `60 per 60 s, 2 origins`: a policy in a few words, for column headings. */
export function describePolicy(limit: number, windowMs: number, origins: string[]): string {
  const allowed = origins.includes('*')
    ? 'every origin'
    : `${origins.length} origin${origins.length === 1 ? '' : 's'}`
  return `${limit} per ${formatWindow(windowMs)}, ${allowed}`
}

export function readOrigins(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
}
