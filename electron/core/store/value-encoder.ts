/**
 * Builds the values of an `EncodedBatch`: numbers and kinds in typed arrays, texts in two strings,
 * blobs in one buffer. Everything here runs on the proxy's thread for every value of every
 * exchange, a batch at a time.
 */

import type { WriteValue } from './rows'
import { VALUE_KIND, type EncodedBatch, type Value } from './sql-writer.js'

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/

/** Values of one insert, the most a write binds; the arrays grow if an update ever binds more. */
const VALUES_PER_WRITE = 32

/** Room for blob bytes before the first one arrives; the buffer doubles as needed. */
const INITIAL_BLOB_BYTES = 16 * 1024

/** The encoded values of a batch. */
export type EncodedValues = Omit<EncodedBatch, 'statements' | 'steps'>

/**
 * Appends the values of writes, one write at a time: `begin`, then `write` for each value, then
 * `end`, or `abort` to leave no trace of a write that failed halfway.
 */
export class ValueEncoder {
  private kinds: Uint8Array
  private numbers: Float64Array
  private count = 0
  // Appending builds a rope; it is flattened once, when the batch is cloned to the writer.
  private text = ''
  private wideText = ''
  // The batch's bodies back to back, so they cross to the writer as one buffer.
  private blob = new Uint8Array(0)
  private blobSize = 0
  private readonly others: Value[] = []
  private readonly saved = {
    count: 0,
    text: '',
    wideText: '',
    blobSize: 0,
    others: 0,
  }
  // The texts of the last write, by position, and those of the write in progress.
  private previousTexts: (string | undefined)[] = []
  private currentTexts: (string | undefined)[] = []

  constructor(writes: number) {
    this.kinds = new Uint8Array(Math.max(1, writes) * VALUES_PER_WRITE)
    this.numbers = new Float64Array(this.kinds.length)
  }

  begin(): void {
    const { saved } = this
    saved.count = this.count
    saved.text = this.text
    saved.wideText = this.wideText
    saved.blobSize = this.blobSize
    saved.others = this.others.length
    this.currentTexts.length = 0
  }

  /** Appends one bound value; throws a TypeError for what SQLite cannot store. */
  write(value: WriteValue | undefined): void {
    if (value === null || value === undefined) return this.push(VALUE_KIND.NULL, 0)
    switch (typeof value) {
      case 'number':
        return this.push(VALUE_KIND.NUMBER, value)
      case 'string':
        return this.pushText(value)
      case 'bigint':
        this.others.push(value)
        return this.push(VALUE_KIND.OTHER, 0)
      case 'object':
        if (value instanceof Uint8Array) {
          this.pushBlob(value)
          return this.push(VALUE_KIND.BLOB, value.byteLength)
        }
        if (Array.isArray(value)) return this.pushText(JSON.stringify(value))
    }
    // What SQLite refuses would fail in the writer anyway; a function or a symbol would not even
    // cross to the writer thread, and would take the whole batch with it.
    throw new TypeError(
      `a ${typeof value} cannot be stored; SQLite takes numbers, strings, bigints, byte arrays and null`,
    )
  }

  /** Completes the write in progress; returns how many values it binds. */
  end(): number {
    const texts = this.previousTexts
    this.previousTexts = this.currentTexts
    this.currentTexts = texts
    return this.count - this.saved.count
  }

  /** Forgets what was written since `begin`. */
  abort(): void {
    const { saved } = this
    this.count = saved.count
    this.text = saved.text
    this.wideText = saved.wideText
    this.blobSize = saved.blobSize
    this.others.length = saved.others
  }

  /** The values written so far; the arrays are views, valid until something else is written. */
  finish(): EncodedValues {
    return {
      kinds: this.kinds.subarray(0, this.count),
      numbers: this.numbers.subarray(0, this.count),
      text: this.text,
      wideText: this.wideText,
      blobBytes: this.blob.subarray(0, this.blobSize),
      others: this.others,
    }
  }

  private pushBlob(value: Uint8Array): void {
    const needed = this.blobSize + value.byteLength
    if (needed > this.blob.length) {
      const grown = new Uint8Array(Math.max(needed, this.blob.length * 2, INITIAL_BLOB_BYTES))
      grown.set(this.blob.subarray(0, this.blobSize))
      this.blob = grown
    }
    this.blob.set(value, this.blobSize)
    this.blobSize = needed
  }

  private pushText(value: string): void {
    // Consecutive exchanges share most of their texts (method, client, key, origin, often the
    // whole request header list): those are sent once and repeated by reference.
    const position = this.count - this.saved.count
    this.currentTexts[position] = value
    if (this.previousTexts[position] === value) return this.push(VALUE_KIND.REPEAT, 0)

    // One masked key ('…') would otherwise turn all of the batch's text into two-byte text, twice
    // the bytes to copy and slower for SQLite's binding to convert.
    if (BEYOND_LATIN1.test(value)) {
      this.wideText += value
      this.push(VALUE_KIND.WIDE_TEXT, value.length)
    } else {
      this.text += value
      this.push(VALUE_KIND.TEXT, value.length)
    }
  }

  private push(kind: number, number: number): void {
    if (this.count === this.kinds.length) this.grow()
    this.kinds[this.count] = kind
    this.numbers[this.count] = number
    this.count++
  }

  private grow(): void {
    const kinds = new Uint8Array(this.kinds.length * 2)
    const numbers = new Float64Array(kinds.length)
    kinds.set(this.kinds)
    numbers.set(this.numbers)
    this.kinds = kinds
    this.numbers = numbers
  }
}
