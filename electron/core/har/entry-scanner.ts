/**
 * An incremental JSON scanner that finds `log.entries` in a HAR document fed to it in pieces and
 * hands back the source text of each element as soon as it is complete. Only the text of one
 * entry is held at a time, so memory follows the largest entry, not the file. Each element is
 * then parsed by `JSON.parse`, which validates it; everything outside `log.entries` is skipped
 * after checking only that its brackets and strings close.
 */

import { TollgateError } from '../../../shared/errors'

/** One element of `log.entries`, by its position in the array. */
export type ScannedEntry =
  | { type: 'entry'; index: number; text: string }
  /** An element longer than the limit; its text was skipped, not kept. */
  | { type: 'oversized'; index: number; chars: number }

export interface EntryScannerOptions {
  /** Elements longer than this many characters are reported as oversized. Default 256 Mi. */
  maxEntryChars?: number
}

type Frame = 'root' | 'log' | 'entries'

// Where the structural parser stands: what it expects next inside the innermost frame.
type Expect =
  | 'root-value'
  | 'key-or-end'
  | 'key'
  | 'colon'
  | 'value'
  | 'comma-or-end'
  | 'element-or-end'
  | 'element'
  | 'done'

// How the scanner reads a value it does not parse itself.
type ValueMode = 'container' | 'string' | 'bare'

const STRING_STOP = /["\\]/g
// A whole string in one step where the chunk holds all of it, else a bracket, else a lone quote:
// a string that goes on into the next chunk, or one with so many escapes that matching it whole
// would exhaust the regex engine's stack; those are read by the slower loop below.
const CONTAINER_STEP = /"[^"\\]*(?:\\[^][^"\\]*){0,1024}"|[{}[\]"]/g
const BARE_CHAR = /[-+.0-9A-Za-z]/
const WHITESPACE = /[ \t\r\n]/

/**
 * Feed it with `push(chunk)` in file order and finish with `end()`. Both throw a TollgateError
 * `HAR_INVALID` naming the character position when the text cannot be a HAR document.
 */
export class HarEntryScanner {
  private readonly maxEntryChars: number
  private readonly frames: Frame[] = []
  private expect: Expect = 'root-value'
  private consumed = 0
  private started = false
  private sawEntries = false

  private key = ''
  private keyParts: string[] | undefined
  private keyEscape = false

  // The value being skipped or captured, when there is one.
  private valueMode: ValueMode | undefined
  private capturing = false
  private depth = 0
  private inString = false
  private escape = false
  private parts: string[] = []
  private partChars = 0
  private valueStart = 0
  private nextIndex = 0

  constructor(options: EntryScannerOptions = {}) {
    this.maxEntryChars = options.maxEntryChars ?? 256 * 1024 * 1024
  }

  /** Elements of `log.entries` completed so far, which is the index of the next one. */
  get entriesSeen(): number {
    return this.nextIndex
  }

  /** True once the document's closing brace has been read. */
  get documentEnded(): boolean {
    return this.expect === 'done'
  }

  /** True while the scanner is inside an element of `log.entries`. */
  get insideEntry(): boolean {
    return this.capturing
  }

  /**
   * Scans the next piece of the document and returns the entries it completed, appended to `out`
   * when given. A caller that passes `out` keeps the entries completed before a throw.
   */
  push(chunk: string, out: ScannedEntry[] = []): ScannedEntry[] {
    let text = chunk
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }

    let position = 0
    this.valueStart = 0
    while (position < text.length) {
      position =
        this.valueMode === undefined
          ? this.stepStructure(text, position)
          : this.stepValue(text, position, out)
    }

    // A captured element continues in the next chunk: keep what this one holds of it.
    if (this.valueMode !== undefined && this.capturing) this.keep(text.slice(this.valueStart))
    this.consumed += text.length
    return out
  }

  /** Declares the input complete; throws when the document is cut short or has no entries. */
  end(): void {
    // A document ends with a closing brace, so input that stops inside any value is cut short.
    if (this.valueMode !== undefined || this.expect !== 'done') {
      throw this.invalid(0, 'the file ends before the HAR document is complete')
    }
    if (!this.sawEntries) {
      throw this.invalid(0, 'the document has no "log.entries" array')
    }
  }

  /** One structural character (or a run of key text); returns the next position. */
  private stepStructure(text: string, position: number): number {
    if (this.keyParts !== undefined) return this.readKey(text, position)

    const char = text[position] as string
    if (WHITESPACE.test(char)) return position + 1
    const frame = this.frames.at(-1)

    switch (this.expect) {
      case 'root-value':
        if (char !== '{') throw this.invalid(position, 'a HAR file is a JSON object', char)
        this.frames.push('root')
        this.expect = 'key-or-end'
        return position + 1
      case 'key-or-end':
      case 'key':
        if (char === '}' && this.expect === 'key-or-end') return this.close(position)
        if (char !== '"') throw this.invalid(position, 'expected a property name', char)
        this.keyParts = []
        return position + 1
      case 'colon':
        if (char !== ':') throw this.invalid(position, 'expected ":" after a property name', char)
        this.expect = 'value'
        return position + 1
      case 'value':
        return this.startValue(text, position, frame)
      case 'element-or-end':
      case 'element':
        if (char === ']' && this.expect === 'element-or-end') return this.close(position)
        return this.startValue(text, position, frame)
      case 'comma-or-end': {
        const closer = frame === 'entries' ? ']' : '}'
        if (char === closer) return this.close(position)
        if (char !== ',') throw this.invalid(position, `expected "," or "${closer}"`, char)
        this.expect = frame === 'entries' ? 'element' : 'key'
        return position + 1
      }
      case 'done':
        throw this.invalid(position, 'the document continues after its end', char)
    }
  }

  private readKey(text: string, position: number): number {
    const parts = this.keyParts as string[]
    let index = position
    if (this.keyEscape) {
      this.keyEscape = false
      index++
    }

    STRING_STOP.lastIndex = index
    for (;;) {
      const match = STRING_STOP.exec(text)
      if (match === null) {
        parts.push(text.slice(position))
        return text.length
      }
      if (match[0] === '\\') {
        if (match.index + 1 >= text.length) {
          parts.push(text.slice(position))
          this.keyEscape = true
          return text.length
        }
        STRING_STOP.lastIndex = match.index + 2
        continue
      }

      parts.push(text.slice(position, match.index))
      this.key = decodeKey(parts.join(''), this.consumed + match.index)
      this.keyParts = undefined
      this.expect = 'colon'
      return match.index + 1
    }
  }

  private startValue(text: string, position: number, frame: Frame | undefined): number {
    const char = text[position] as string

    // The two containers on the way to the entries are parsed; every other value is skipped.
    if (frame === 'root' && this.key === 'log') {
      if (char !== '{') throw this.invalid(position, '"log" must be an object', char)
      this.frames.push('log')
      this.expect = 'key-or-end'
      return position + 1
    }
    if (frame === 'log' && this.key === 'entries') {
      if (char !== '[') throw this.invalid(position, '"log.entries" must be an array', char)
      this.frames.push('entries')
      this.sawEntries = true
      this.expect = 'element-or-end'
      return position + 1
    }

    this.capturing = frame === 'entries'
    this.parts = []
    this.partChars = 0
    this.valueStart = position
    this.inString = false
    this.escape = false
    if (char === '{' || char === '[') {
      this.valueMode = 'container'
      this.depth = 1
      return position + 1
    }
    if (char === '"') {
      this.valueMode = 'string'
      this.inString = true
      return position + 1
    }
    if (!BARE_CHAR.test(char)) throw this.invalid(position, 'expected a value', char)
    this.valueMode = 'bare'
    return position + 1
  }

  /** Reads as much of the current value as this chunk holds; returns the next position. */
  private stepValue(text: string, position: number, out: ScannedEntry[]): number {
    let index = position
    if (this.escape) {
      this.escape = false
      index++
    }

    if (this.valueMode === 'bare') {
      while (index < text.length && BARE_CHAR.test(text[index] as string)) index++
      if (index < text.length) this.finishValue(text, index, out)
      return index
    }

    for (;;) {
      if (this.inString) {
        STRING_STOP.lastIndex = index
        const match = STRING_STOP.exec(text)
        if (match === null) return text.length
        if (match[0] === '\\') {
          if (match.index + 1 >= text.length) {
            this.escape = true
            return text.length
          }
          index = match.index + 2
          continue
        }
        this.inString = false
        index = match.index + 1
        if (this.valueMode === 'string') return this.finishValue(text, index, out)
        continue
      }

      CONTAINER_STEP.lastIndex = index
      const match = CONTAINER_STEP.exec(text)
      if (match === null) return text.length
      const step = match[0]
      index = match.index + step.length
      if (step.length > 1) continue
      if (step === '"') this.inString = true
      else if (step === '{' || step === '[') this.depth++
      else if (--this.depth === 0) return this.finishValue(text, index, out)
    }
  }

  /** Ends the current value at `end` (exclusive) and emits it when it was an entry. */
  private finishValue(text: string, end: number, out: ScannedEntry[]): number {
    if (this.capturing) {
      const index = this.nextIndex++
      const chars = this.partChars + (end - this.valueStart)
      if (chars > this.maxEntryChars) {
        out.push({ type: 'oversized', index, chars })
      } else {
        const tail = text.slice(this.valueStart, end)
        out.push({
          type: 'entry',
          index,
          text: this.parts.length === 0 ? tail : this.parts.join('') + tail,
        })
      }
    }

    this.valueMode = undefined
    this.capturing = false
    this.parts = []
    this.partChars = 0
    this.expect = 'comma-or-end'
    return end
  }

  /** Keeps part of a captured element, or stops keeping it once it is past the limit. */
  private keep(piece: string): void {
    this.partChars += piece.length
    if (this.partChars > this.maxEntryChars) {
      this.parts = []
      return
    }
    this.parts.push(piece)
  }

  private close(position: number): number {
    this.frames.pop()
    const frame = this.frames.at(-1)
    this.expect = frame === undefined ? 'done' : 'comma-or-end'
    return position + 1
  }

  /** `position` is within the current chunk; messages count from the start of the file. */
  private invalid(position: number, reason: string, found?: string): TollgateError {
    const at = this.consumed + position
    const shown = found === undefined ? '' : `, found ${JSON.stringify(found)}`
    return new TollgateError(
      'HAR_INVALID',
      `Not a readable HAR file: at character ${at}, ${reason}${shown}. Export the HAR again from the browser or tool that recorded it, and check that the file is complete.`,
    )
  }
}

function decodeKey(raw: string, position: number): string {
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    throw new TollgateError(
      'HAR_INVALID',
      `Not a readable HAR file: the property name ${JSON.stringify(raw)} before character ${position} is not a valid JSON string. Export the HAR again from the tool that recorded it.`,
    )
  }
}
