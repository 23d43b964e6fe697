/**
 * Checks a parsed document against the required fields and types of HAR 1.2, the way the
 * format's specification lists them. Fails the test with the path of the first wrong field.
 */

import { expect } from 'vitest'

interface Shape {
  [field: string]: 'string' | 'number' | 'object' | 'array' | Shape
}

const NAME_VALUE: Shape = { name: 'string', value: 'string' }

const REQUEST: Shape = {
  method: 'string',
  url: 'string',
  httpVersion: 'string',
  cookies: 'array',
  headers: 'array',
  queryString: 'array',
  headersSize: 'number',
  bodySize: 'number',
}

const RESPONSE: Shape = {
  status: 'number',
  statusText: 'string',
  httpVersion: 'string',
  cookies: 'array',
  headers: 'array',
  content: { size: 'number', mimeType: 'string' },
  redirectURL: 'string',
  headersSize: 'number',
  bodySize: 'number',
}

const ENTRY: Shape = {
  startedDateTime: 'string',
  time: 'number',
  request: REQUEST,
  response: RESPONSE,
  cache: 'object',
  timings: { send: 'number', wait: 'number', receive: 'number' },
}

function check(value: unknown, shape: Shape, where: string): void {
  expect(typeof value, where).toBe('object')
  const record = value as Record<string, unknown>
  for (const [field, type] of Object.entries(shape)) {
    const path = `${where}.${field}`
    const actual = record[field]
    if (typeof type === 'object') check(actual, type, path)
    else if (type === 'array') expect(Array.isArray(actual), path).toBe(true)
    else expect(typeof actual, path).toBe(type)
  }
}

/** Fails unless `har` has every field HAR 1.2 requires, with the right types. */
export function expectValidHar(har: unknown): void {
  check(har, { log: { version: 'string', creator: NAME_VERSION, entries: 'array' } }, 'har')
  const entries = (har as { log: { entries: unknown[] } }).log.entries

  entries.forEach((entry, index) => {
    const where = `entries[${index}]`
    check(entry, ENTRY, where)
    const { request, response, startedDateTime } = entry as Record<string, any>
    expect(Number.isNaN(Date.parse(startedDateTime)), `${where}.startedDateTime`).toBe(false)
    for (const list of ['cookies', 'headers', 'queryString']) {
      request[list].forEach((item: unknown, i: number) =>
        check(item, NAME_VALUE, `${where}.request.${list}[${i}]`),
      )
    }
    for (const list of ['cookies', 'headers']) {
      response[list].forEach((item: unknown, i: number) =>
        check(item, NAME_VALUE, `${where}.response.${list}[${i}]`),
      )
    }
    if (request.postData !== undefined) {
      check(request.postData, { mimeType: 'string' }, `${where}.request.postData`)
    }
  })
}

const NAME_VERSION: Shape = { name: 'string', version: 'string' }
