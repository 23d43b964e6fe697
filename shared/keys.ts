/** Showing API keys without giving them away. Browser-safe: no Node imports. */

import { remembered } from './remembered'

const ELLIPSIS = '\u2026'

/** Keys at least this long may keep their prefix and last four characters. */
const LONG_KEY = 12

/** How many characters a long key must keep hidden between prefix and tail. */
const MIN_HIDDEN = 8

/**
 * The display form of an API key, which never reveals the whole key:
 * - 12 characters or more: a recognisable prefix (everything up to the last `_` or `-` within
 *   the first 8 characters, e.g. `sk_live_`), then `…`, then the last 4 characters. The prefix
 *   is dropped when keeping it would leave fewer than 8 characters hidden.
 * - 5 to 11 characters: the first character, `…`, the last 2 (`key-a1` shows as `k…a1`).
 * - 4 or fewer: `…` alone, since any visible character would give away most of the key.
 * Characters are counted as code points, so no surrogate pair is cut in half.
 *
 * Every request with a key is logged with its mask, and a developer uses a handful of keys, so
 * masks are remembered.
 */
export const maskKey: (key: string) => string = remembered(computeMask)

function computeMask(key: string): string {
  const chars = Array.from(key)
  if (chars.length <= 4) return ELLIPSIS
  if (chars.length < LONG_KEY) return `${chars[0]}${ELLIPSIS}${chars.slice(-2).join('')}`

  const prefix = recognisablePrefix(chars)
  const kept = chars.length - prefix.length - 4 >= MIN_HIDDEN ? prefix : ''
  return `${kept}${ELLIPSIS}${chars.slice(-4).join('')}`
}

function recognisablePrefix(chars: string[]): string {
  for (let index = Math.min(7, chars.length - 1); index >= 1; index--) {
    if (chars[index] === '_' || chars[index] === '-') return chars.slice(0, index + 1).join('')
  }
  return ''
}
