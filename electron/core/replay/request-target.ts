/**
 * The path and query of a recorded URL. Live traffic records them as sent (`/items?x=1`);
 * imported HAR files hold whole URLs (`https://api.example.com/items?x=1#top`). Replays and the
 * mock upstream need the part a server sees, byte for byte: no decoding, no dot-segment cleanup.
 */

const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i

/**
 * The request target of `url` in origin form: scheme, host and fragment dropped, path and query
 * kept exactly. An empty path becomes `/`.
 */
export function toRequestTarget(url: string): string {
  let target = url.replace(SCHEME_AND_AUTHORITY, '')
  const hash = target.indexOf('#')
  if (hash !== -1) target = target.slice(0, hash)
  if (target === '' || target.startsWith('?')) target = `/${target}`
  return target
}
