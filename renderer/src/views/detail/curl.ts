import type { ExchangeDetail } from '../../../../shared/api'

/** Headers curl sets itself from the URL and body; repeating them would only conflict. */
const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding'])

/** Quotes a value for a POSIX shell: single quotes, with embedded ones closed and escaped. */
export function quoteForShell(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/**
 * A curl command that sends the same request through the proxy again: same method, path,
 * header lines in their original order and spelling (repeats kept), and the exact body bytes.
 */
export function buildCurl(exchange: ExchangeDetail, proxyUrl: string): string {
  const parts = ['curl']
  // curl infers GET, or POST when a body is given; HEAD needs --head or it waits for a body.
  const inferred = exchange.requestBodyBase64 ? 'POST' : 'GET'
  if (exchange.method === 'HEAD') parts.push('--head')
  else if (exchange.method !== inferred) parts.push('-X', quoteForShell(exchange.method))
  parts.push(quoteForShell(new URL(exchange.url, proxyUrl).href))

  for (const [name, value] of exchange.requestHeaders) {
    if (SKIPPED.has(name.toLowerCase())) continue
    parts.push('-H', quoteForShell(`${name}: ${value}`))
  }

  const body = exchange.requestBodyBase64
  if (!body) return parts.join(' ')

  const text = printableText(body)
  if (text !== undefined) {
    parts.push('--data-raw', quoteForShell(text))
    return parts.join(' ')
  }

  // Binary bodies travel as base64 and are decoded on the way in, byte for byte.
  parts.push('--data-binary', '@-')
  return `printf %s ${quoteForShell(body)} | base64 -d | ${parts.join(' ')}`
}

function printableText(base64: string): string | undefined {
  const binary = atob(base64)
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0))
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text) ? undefined : text
  } catch {
    return undefined
  }
}
