/**
 * Who may talk to the control API: only a client on this machine that holds the run's token.
 * The Host check stops DNS rebinding (a page whose name suddenly resolves to 127.0.0.1), the
 * Origin check stops other sites' pages, and the token stops every other local program.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { TollgateError } from '../../../shared/errors'

/** The host names a loopback control server answers to, besides the address it is bound to. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']

/** A fresh random token for one run: 256 bits, URL-safe, so it fits a fragment or a query. */
export function createToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Whether `given` is the token, in time that does not depend on where they differ. Both sides
 * are hashed first so their lengths match and the length of the token leaks nothing either.
 */
export function tokensMatch(given: string | undefined, token: string): boolean {
  if (given === undefined || given === '') return false
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(token))
}

/** The credential of `Authorization: Bearer <token>`, or undefined. */
export function readBearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')
  return match?.[1]
}

/** The `Host` values a server bound to `boundHost:port` accepts, lower case. */
export function acceptedHosts(boundHost: string, port: number): Set<string> {
  const bound = boundHost.includes(':') ? `[${boundHost}]` : boundHost
  return new Set([...LOOPBACK_NAMES, bound.toLowerCase()].map((host) => `${host}:${port}`))
}

/**
 * Refuses a request that does not come from this machine's own pages: a `Host` other than the
 * loopback address and port the server listens on, or an `Origin` other than the server's own
 * or one of `extraOrigins` (the UI's dev server while developing the desktop app).
 * Returns the error to answer with, or undefined when the request may go on.
 */
export function checkRequestSource(
  headers: IncomingHttpHeaders,
  hosts: Set<string>,
  extraOrigins: readonly string[] = [],
): TollgateError | undefined {
  const host = headers.host?.toLowerCase()
  if (host === undefined || !hosts.has(host)) {
    return new TollgateError(
      'FORBIDDEN',
      `The control API answers only to Host ${[...hosts][0]} or another loopback name for the same port, not ${JSON.stringify(headers.host ?? '')}.`,
    )
  }

  // Browsers send Origin on cross-site requests and on every WebSocket handshake; the UI served
  // from this server sends its own origin, and programs such as curl send none.
  const origin = headers.origin?.toLowerCase()
  if (origin !== undefined && origin !== `http://${host}` && !extraOrigins.includes(origin)) {
    return new TollgateError(
      'FORBIDDEN',
      `The control API refuses requests from pages of ${JSON.stringify(headers.origin)}; open the UI from http://${host}/ instead.`,
    )
  }
  return undefined
}

/** Refuses a request that does not carry the token. */
export function checkToken(given: string | undefined, token: string): TollgateError | undefined {
  if (tokensMatch(given, token)) return undefined
  return new TollgateError(
    'UNAUTHORIZED',
    given === undefined
      ? 'The control API needs the token printed at start: send Authorization: Bearer <token>.'
      : 'The token is wrong: it changes on every start, so use the one printed by this run.',
  )
}
