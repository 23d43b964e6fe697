/**
 * The JSON text of the columns that hold structured values. Serialising them is most of the work
 * of preparing a row, on the proxy's thread, and most of it repeats from one exchange to the next:
 * a client sends the same header fields request after request, an upstream answers with the same
 * ones, and the CORS verdict stays the same while the requests keep their shape. So each column
 * keeps what it wrote last and reuses whatever still matches.
 */

import type { HeaderList } from '../../../shared/exchange'

/** One column's lists; the text it returns is exactly `JSON.stringify(list)`. */
export class HeaderListJson {
  private readonly names: string[] = []
  private readonly values: string[] = []
  private readonly pairTexts: string[] = []
  private lastLength = -1
  private lastText = ''

  stringify(list: HeaderList): string {
    let unchanged = list.length === this.lastLength
    // Indexed loop: this runs for every header of every exchange, on the proxy's thread.
    for (let index = 0; index < list.length; index++) {
      const pair: unknown = list[index]
      // Anything but a pair of strings (a hole, a number) is left to JSON.stringify whole.
      if (!isPlainPair(pair)) return this.forget(JSON.stringify(list))

      const name = pair[0]
      const value = pair[1]
      if (this.names[index] !== name || this.values[index] !== value) {
        this.names[index] = name
        this.values[index] = value
        this.pairTexts[index] = pairText(name, value)
        unchanged = false
      }
    }
    if (unchanged) return this.lastText

    // Pairs beyond this list's end are kept for a longer list later, but are not part of it.
    const texts = this.pairTexts
    this.lastLength = list.length
    this.lastText = `[${(texts.length === list.length ? texts : texts.slice(0, list.length)).join(',')}]`
    return this.lastText
  }

  // A list the pairs cannot describe must not be mistaken for the previous one.
  private forget(text: string): string {
    this.lastLength = -1
    this.names.length = 0
    this.values.length = 0
    this.pairTexts.length = 0
    return text
  }
}

// The characters JSON.stringify escapes (surrogates only when unpaired; any surrogate goes the slow
// way here). Header text rarely has them, and text without them is its own JSON within quotes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** Exactly `JSON.stringify([name, value])`, several times faster for plain text. */
function pairText(name: string, value: string): string {
  if (NEEDS_ESCAPE.test(name) || NEEDS_ESCAPE.test(value)) return JSON.stringify([name, value])
  return `["${name}","${value}"]`
}

function isPlainPair(pair: unknown): pair is [string, string] {
  return (
    Array.isArray(pair) &&
    pair.length === 2 &&
    typeof pair[0] === 'string' &&
    typeof pair[1] === 'string'
  )
}

/**
 * One column of JSON values, such as CORS verdicts: the text it returns is exactly
 * `JSON.stringify(value)`, reused while each value matches the previous one field for field.
 * What it compares against is parsed back from the text, so a caller changing an object it
 * logged earlier cannot make a stale text come back.
 */
export class RepeatedJson {
  private last: unknown = undefined
  private lastText: string | undefined = undefined

  stringify(value: unknown): string | undefined {
    if (this.lastText !== undefined && matchesJson(value, this.last)) return this.lastText
    const text = JSON.stringify(value)
    this.lastText = text
    this.last = text === undefined ? undefined : JSON.parse(text)
    return text
  }
}

/**
 * True when `value` serialises to the JSON that `parsed` was read from. Plain objects, arrays and
 * primitives are compared; anything that serialises in its own way (a Date, a Map, a class
 * instance) never matches, and is simply serialised again.
 */
function matchesJson(value: unknown, parsed: unknown): boolean {
  if (typeof value !== 'object' || value === null) return value === parsed
  if (typeof parsed !== 'object' || parsed === null) return false
  if (Array.isArray(value)) {
    if (!Array.isArray(parsed) || value.length !== parsed.length) return false
    for (let index = 0; index < value.length; index++) {
      if (!matchesJson(value[index], parsed[index])) return false
    }
    return true
  }
  const prototype: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(parsed) || (prototype !== Object.prototype && prototype !== null)) return false

  // JSON leaves out keys whose value is undefined; the parsed side never has them.
  const parsedKeys = Object.keys(parsed)
  let matched = 0
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key]
    if (item === undefined) continue
    if (parsedKeys[matched] !== key) return false
    if (!matchesJson(item, (parsed as Record<string, unknown>)[key])) return false
    matched++
  }
  return matched === parsedKeys.length
}
