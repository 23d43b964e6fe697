/**
 * Times between HAR entries and the log: the start as an ISO 8601 date with its time zone, and
 * the phase timings, where -1 means "not measured" and nothing else below 0 is allowed.
 */

import type { ExchangeTimings } from '../store'
import type { HarTimings } from './har-types'

const PHASES = ['blocked', 'dns', 'connect', 'ssl', 'send', 'wait', 'receive'] as const

// Everything that is spent before the first byte of the response arrives; ssl is part of connect.
const BEFORE_FIRST_BYTE = ['blocked', 'dns', 'connect', 'send', 'wait'] as const

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/**
 * Epoch milliseconds of an ISO 8601 date-time, honouring its offset; sub-millisecond digits are
 * dropped. `zoned` is false when the text has no offset, in which case it is read as UTC.
 */
export function parseStartedDateTime(
  text: string,
): { epochMs: number; zoned: boolean } | undefined {
  const match = ISO_DATE.exec(text.trim())
  if (match === null) return undefined

  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((group) => Number(match[group]))
  const second = Number(match[6] ?? 0)
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3))
  const valid =
    month! >= 1 && month! <= 12 && day! >= 1 && day! <= 31 && hour! <= 23 && minute! <= 59
  if (!valid || second > 60) return undefined

  const local = Date.UTC(year!, month! - 1, day!, hour!, minute!, second, millisecond)
  // Date.UTC rolls 31 February into March; a date that moved was not a real date.
  if (new Date(local).getUTCDate() !== day) return undefined

  const zone = match[8]
  return { epochMs: local - offsetMinutes(zone) * 60_000, zoned: zone !== undefined }
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)
  return zone.startsWith('-') ? -minutes : minutes
}

/** Whether a HAR timing value is allowed: a duration of 0 or more, or -1 for "not measured". */
export function isValidTiming(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && (value >= 0 || value === -1)
}

/**
 * The phase timings of an entry, each invalid value replaced by -1 and reported through
 * `complain`. A missing phase counts as not measured.
 */
export function readTimings(
  timings: unknown,
  complain: (problem: string) => void,
): Omit<ExchangeTimings, 'time'> {
  const source = typeof timings === 'object' && timings !== null ? timings : {}
  if (source !== timings)
    complain('the entry has no timings object; every phase is kept as not measured (-1)')

  const read = {} as Omit<ExchangeTimings, 'time'>
  for (const phase of PHASES) {
    const value = (source as Record<string, unknown>)[phase]
    if (value === undefined || isValidTiming(value)) {
      read[phase] = value ?? -1
      continue
    }
    complain(
      `timings.${phase} is ${JSON.stringify(value)}, but only -1 (not measured) or a duration of 0 ms or more is allowed; it is kept as not measured`,
    )
    read[phase] = -1
  }
  return read
}

/** When the first response byte arrived, if the wait was measured. */
export function firstByteFrom(startedAt: number, timings: ExchangeTimings): number | undefined {
  if (timings.wait < 0) return undefined
  let elapsed = 0
  for (const phase of BEFORE_FIRST_BYTE) elapsed += Math.max(0, timings[phase])
  return startedAt + elapsed
}

/** The sum of the measured phases, or undefined when none was measured. */
export function sumMeasured(timings: ExchangeTimings): number | undefined {
  let total: number | undefined
  for (const phase of PHASES) {
    // ssl is already counted inside connect.
    if (phase === 'ssl' || timings[phase] < 0) continue
    total = (total ?? 0) + timings[phase]
  }
  return total
}

/** The HAR timings of an exchange: its stored phases, or what its three timestamps tell. */
export function writeTimings(exchange: {
  startedAt: number
  firstByteAt?: number
  endedAt?: number
  timings?: ExchangeTimings
}): { timings: HarTimings; time: number } {
  const stored = exchange.timings
  if (stored !== undefined) {
    const { time, ...phases } = stored
    const total = time ?? elapsed(exchange.startedAt, exchange.endedAt) ?? sumMeasured(stored)
    return { timings: phases, time: total ?? 0 }
  }

  // A live exchange: waiting covers everything up to the first byte, receiving the rest.
  const wait = elapsed(exchange.startedAt, exchange.firstByteAt)
  const receive =
    exchange.firstByteAt === undefined ? undefined : elapsed(exchange.firstByteAt, exchange.endedAt)
  const timings: HarTimings = {
    blocked: -1,
    dns: -1,
    connect: -1,
    ssl: -1,
    send: -1,
    wait: wait ?? -1,
    receive: receive ?? -1,
  }
  return { timings, time: elapsed(exchange.startedAt, exchange.endedAt) ?? 0 }
}

// Rounded to microseconds: the difference of two epoch times carries float noise past that.
function elapsed(from: number, to: number | undefined): number | undefined {
  if (to === undefined || to < from) return undefined
  return Math.round((to - from) * 1000) / 1000
}
