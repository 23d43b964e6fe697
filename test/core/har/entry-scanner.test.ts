import { describe, expect, it } from 'vitest'
import { HarEntryScanner, type ScannedEntry } from '../../../electron/core/har'
import { TollgateError } from '../../../shared/errors'
import { makeEntry, makeHar } from './har-fixtures'

/** Feeds `text` to a fresh scanner in pieces of `size` characters and collects what it yields. */
function scan(text: string, size: number, maxEntryChars?: number): ScannedEntry[] {
  const scanner = new HarEntryScanner({ maxEntryChars })
  const out: ScannedEntry[] = []
  for (let start = 0; start < text.length; start += size) {
    out.push(...scanner.push(text.slice(start, start + size)))
  }
  scanner.end()
  return out
}

function texts(entries: ScannedEntry[]): unknown[] {
  return entries.map((entry) => (entry.type === 'entry' ? JSON.parse(entry.text) : entry))
}

function catchError(action: () => unknown): TollgateError {
  try {
    action()
  } catch (error) {
    return error as TollgateError
  }
  throw new Error('expected an error')
}

// Strings full of what a scanner could mistake for structure, escaped quotes and backslashes.
const TRICKY = [
  makeEntry({ comment: 'brackets ] } [ { and "quotes" and a \\ backslash\\' }),
  makeEntry({ comment: '\\"', _list: [[], {}, [{ a: ['}'] }]] }),
  makeEntry({ comment: 'unicode \u00e9\u{1f600} and \\u escapes' }),
  // Thousands of escapes in one string take the scanner's slower path.
  makeEntry({ comment: 'a"b\\'.repeat(3000) }),
]

describe('HarEntryScanner', () => {
  it('yields every entry whole when the text arrives one character at a time', () => {
    const text = JSON.stringify(makeHar(TRICKY), null, 2)

    const entries = scan(text, 1)

    expect(texts(entries)).toEqual(TRICKY)
    expect(entries.map((entry) => entry.index)).toEqual([0, 1, 2, 3])
  })

  it('yields the same entries for every chunk size', () => {
    const text = JSON.stringify(makeHar(TRICKY))
    const expected = texts(scan(text, text.length))

    const bySize = [2, 3, 7, 64, 1000].map((size) => texts(scan(text, size)))

    for (const entries of bySize) expect(entries).toEqual(expected)
  })

  it('skips values outside log.entries, even ones named entries', () => {
    const har = {
      before: { log: { entries: ['not these'] } },
      log: {
        pages: [{ entries: [{ id: 'page' }] }],
        creator: { name: '{[', version: '1' },
        entries: [{ n: 1 }, 'text', 2.5e3, null],
        after: [true, false],
      },
    }

    const entries = scan(JSON.stringify(har), 5)

    expect(texts(entries)).toEqual([{ n: 1 }, 'text', 2500, null])
  })

  it('reports an entry past the size limit without keeping its text', () => {
    const big = { request: { url: 'x'.repeat(500) } }
    const text = JSON.stringify(makeHar([{ n: 0 }, big, { n: 2 }]))

    const entries = scan(text, 16, 200)

    expect(entries[0]).toEqual({ type: 'entry', index: 0, text: '{"n":0}' })
    expect(entries[1]).toMatchObject({ type: 'oversized', index: 1 })
    expect(entries[2]).toEqual({ type: 'entry', index: 2, text: '{"n":2}' })
  })

  it('ignores a byte order mark at the start', () => {
    const text = '\ufeff' + JSON.stringify(makeHar([{ n: 1 }]))

    expect(texts(scan(text, 3))).toEqual([{ n: 1 }])
  })

  it('refuses a document that is not a JSON object', () => {
    const error = catchError(() => scan('[1, 2]', 10))

    expect(error.code).toBe('HAR_INVALID')
    expect(error.message).toContain('character 0')
  })

  it('refuses an object without log.entries', () => {
    const error = catchError(() => scan('{"log": {"version": "1.2"}}', 4))

    expect(error.code).toBe('HAR_INVALID')
    expect(error.message).toContain('"log.entries"')
  })

  it('refuses log.entries that is not an array', () => {
    const error = catchError(() => scan('{"log": {"entries": {}}}', 4))

    expect(error.message).toContain('"log.entries" must be an array')
  })

  it('refuses a file that ends inside an entry, after yielding the complete ones', () => {
    const whole = JSON.stringify(makeHar([{ n: 1 }, { n: 2 }]))
    const text = whole.slice(0, whole.indexOf('{"n":2') + 3)
    const scanner = new HarEntryScanner()

    const yielded = scanner.push(text)
    const error = catchError(() => scanner.end())

    expect(texts(yielded)).toEqual([{ n: 1 }])
    expect(scanner.insideEntry).toBe(true)
    expect(error.message).toContain('ends before the HAR document is complete')
  })

  it('names the position of a missing comma', () => {
    const text = '{"log": {"entries": [{"n": 1} {"n": 2}]}}'

    const error = catchError(() => scan(text, 100))

    expect(error.message).toContain('at character 30')
    expect(error.message).toContain('expected "," or "]"')
  })
})
