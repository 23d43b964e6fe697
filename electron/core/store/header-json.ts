/**
 * The JSON text of header lists, as the log stores them. Serialising every header of every
 * exchange is the largest part of preparing a row, and most of it repeats: a client sends the
 * same fields request after request, and an upstream answers with the same ones. So each pair's
 * text is kept from the previous list, at the same place, and reused while name and value match.
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
    const texts = new Array<string>(list.length)
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
      texts[index] = this.pairTexts[index] as string
    }
    if (unchanged) return this.lastText

    this.lastLength = list.length
    this.lastText = `[${texts.join(',')}]`
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
