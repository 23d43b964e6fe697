/**
 * The settings a user changes in the UI, kept in a JSON file so they survive a restart. Only the
 * sections below are kept: where Tollgate listens, its upstream and its database come from the
 * command line or the app and are never saved here.
 */

import fs from 'node:fs'
import path from 'node:path'
import type { TollgateConfig, TollgateConfigInput } from '../../../shared/config'
import { resolveConfig } from '../../../shared/config-validate'
import { TollgateError } from '../../../shared/errors'

/** The config sections the settings file holds. */
export const SAVED_SECTIONS = ['rateLimit', 'cors', 'keys', 'capture', 'retention'] as const

type SavedSection = (typeof SAVED_SECTIONS)[number]
type Settings = Pick<TollgateConfigInput, SavedSection>

/**
 * Reads the saved settings, or nothing when the file does not exist yet. Sections it does not
 * keep are ignored. A file that is not a JSON object is refused with the fix in the message;
 * the values themselves are checked when they are merged into the config.
 */
export function readSettings(file: string): Settings {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new TollgateError(
      'CONFIG_INVALID',
      `Cannot read the settings file ${file}: ${(error as Error).message}.`,
    )
  }

  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new TollgateError(
      'CONFIG_INVALID',
      `The settings file ${file} is not valid JSON (${(error as Error).message}). Fix it, or delete it to start from the defaults.`,
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TollgateError(
      'CONFIG_INVALID',
      `The settings file ${file} must hold a JSON object. Fix it, or delete it to start from the defaults.`,
    )
  }
  return pickSaved(parsed as Record<string, unknown>)
}

/**
 * The config `base` with the saved settings over it. A bad value in the file is refused with the
 * file's name, since the user did not type it on this command line.
 */
export function applySettings(file: string, base: TollgateConfig): TollgateConfig {
  try {
    return resolveConfig(readSettings(file), base)
  } catch (error) {
    if (!(error instanceof TollgateError) || error.message.includes(file)) throw error
    throw new TollgateError(
      'CONFIG_INVALID',
      `${error.message}\n(in the settings file ${file}: fix it, or delete it to start from the defaults)`,
    )
  }
}

/**
 * Merges a config change into the settings file, field by field within each section, and writes
 * it atomically: a crash leaves either the old file or the new one, never half of one. Fields set
 * by command-line flags are not in the change, so they are not frozen into the file.
 */
export function saveSettings(file: string, change: TollgateConfigInput): void {
  const saved = readSettings(file) as Record<string, Record<string, unknown> | undefined>
  for (const [section, value] of Object.entries(pickSaved(change))) {
    saved[section] = { ...saved[section], ...(value as Record<string, unknown>) }
  }

  fs.mkdirSync(path.dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  try {
    fs.writeFileSync(temporary, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 })
    fs.renameSync(temporary, file)
  } catch (error) {
    fs.rmSync(temporary, { force: true })
    throw new TollgateError(
      'INTERNAL',
      `Cannot save the settings to ${file}: ${(error as Error).message}. The change was not applied.`,
    )
  }
}

function pickSaved(input: Record<string, unknown>): Settings {
  const picked: Record<string, unknown> = {}
  for (const section of SAVED_SECTIONS) {
    if (input[section] !== undefined) picked[section] = input[section]
  }
  return picked as Settings
}
