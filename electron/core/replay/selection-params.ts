/**
 * Replay and "what if" selections as the control API receives them: untrusted JSON, checked
 * field by field and turned into the core's form (bodies from base64 into bytes).
 */

import type { ReplaySelectionParams } from '../../../shared/api'
import { TRAFFIC_FILTER_CHECKS } from '../../../shared/traffic-filter'
import { TollgateError } from '../../../shared/errors'
import type { HeaderList } from '../../../shared/exchange'
import type { ExchangeFilter } from '../store'
import type { ExchangeEdit } from './replay-request'
import type { ReplaySelection } from './replay-selection'

const isText = (value: unknown) => typeof value === 'string'

/** Each filter field a selection may narrow by: the traffic filter's, and a session. */
const FILTER_CHECKS: Record<string, (value: unknown) => boolean> = {
  ...TRAFFIC_FILTER_CHECKS,
  session: isText,
}

/** Checks `params` and returns the selection it names; BAD_REQUEST names what is wrong. */
export function readSelectionParams(params: unknown, method: string): ReplaySelection {
  const refuse = (problem: string): never => {
    throw new TollgateError(
      'BAD_REQUEST',
      `${method}: ${problem} A selection is { "id": n, "edit"?: {...} }, { "ids": [...] }, { "session": "name" } or { "filter": {...} }.`,
    )
  }
  if (!isRecord(params)) return refuse('selection must be an object.')
  const selection = params as ReplaySelectionParams

  if ('id' in selection) {
    if (!Number.isSafeInteger(selection.id))
      refuse(`id ${JSON.stringify(selection.id)} is not a whole number.`)
    return selection.edit === undefined
      ? { id: selection.id }
      : { id: selection.id, edit: readEdit(selection.edit, refuse) }
  }
  if ('ids' in selection) {
    const ids: unknown = selection.ids
    if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id))) {
      refuse('ids must be a list of whole numbers.')
    }
    return { ids: ids as number[] }
  }
  if ('session' in selection) {
    if (typeof selection.session !== 'string' || selection.session === '') {
      refuse(`session ${JSON.stringify(selection.session)} is not a session name.`)
    }
    return { session: selection.session }
  }
  if ('filter' in selection) return { filter: readFilter(selection.filter, refuse) }
  return refuse('it names no id, ids, session or filter.')
}

function readEdit(edit: unknown, refuse: (problem: string) => never): ExchangeEdit {
  if (!isRecord(edit)) return refuse('edit must be an object.')
  const { method, url, headers, bodyBase64 } = edit as Record<string, unknown>
  const out: ExchangeEdit = {}
  if (method !== undefined) {
    if (typeof method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
      refuse(`edit.method ${JSON.stringify(method)} is not an HTTP method name such as "POST".`)
    }
    out.method = method as string
  }
  if (url !== undefined) {
    if (typeof url !== 'string' || url === '')
      refuse('edit.url must be a path such as "/items?page=2".')
    out.url = url as string
  }
  if (headers !== undefined) {
    const valid =
      Array.isArray(headers) &&
      headers.every(
        (line) => Array.isArray(line) && line.length === 2 && isText(line[0]) && isText(line[1]),
      )
    if (!valid) refuse('edit.headers must be a list of [name, value] pairs of strings.')
    out.headers = headers as HeaderList
  }
  if (bodyBase64 !== undefined) {
    if (typeof bodyBase64 !== 'string') refuse('edit.bodyBase64 must be a base64 string.')
    out.body = Buffer.from(bodyBase64 as string, 'base64')
  }
  return out
}

function readFilter(filter: unknown, refuse: (problem: string) => never): ExchangeFilter {
  if (!isRecord(filter)) return refuse('filter must be an object.')
  const picked: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(filter)) {
    // Own fields only: `constructor` or `toString` is no filter field, whatever a plain object has.
    const check = Object.hasOwn(FILTER_CHECKS, field) ? FILTER_CHECKS[field] : undefined
    if (check === undefined) {
      refuse(
        `filter.${field} is not a filter field; known: ${Object.keys(FILTER_CHECKS).join(', ')}.`,
      )
    }
    if (value === undefined) continue
    if (!check!(value)) refuse(`filter.${field} cannot be ${JSON.stringify(value)}.`)
    picked[field] = value
  }
  return picked as ExchangeFilter
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
