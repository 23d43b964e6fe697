/**
 * How the gateway learns that a request is a replay. The replayer adds one header line,
 * `X-Tollgate-Replay-Of: <id>`, naming the recorded exchange it sends again. The gateway takes the
 * line out of the request before anything reads it, so the policies judge the request as the
 * original client sent it (an extra header would change its CORS verdict) and the upstream never
 * sees it; the id lands on the new row as `replayOf`.
 */

import type { IncomingMessage } from 'node:http'
import type { Decision, GatewayRequest } from '../proxy/gateway'

/** The header a replayed request carries, with the id of the exchange it replays. */
export const REPLAY_OF_HEADER = 'X-Tollgate-Replay-Of'

const MARKER_NAME = REPLAY_OF_HEADER.toLowerCase()

/** Strips markers from incoming requests and hands their ids to the log rows. */
export interface ReplayLinks {
  /**
   * Wraps a request or upgrade handler so each request loses its marker lines, in
   * `req.rawHeaders` and `req.headers` alike, before the handler runs.
   */
  strip<A extends unknown[]>(
    handler: (req: IncomingMessage, ...rest: A) => void,
  ): (req: IncomingMessage, ...rest: A) => void
  /** Wraps the policies' decision so the row of a marked request records `replayOf`. */
  link(decide: (request: GatewayRequest) => Decision): (request: GatewayRequest) => Decision
}

/** Creates the pair of wrappers that carry a marker from the socket to the log row. */
export function createReplayLinks(): ReplayLinks {
  // The gateway's request description shares `req.rawHeaders`, so that array identifies the
  // request on both sides without touching the proxy's own types.
  const links = new WeakMap<string[], number>()

  return {
    strip(handler) {
      return (req, ...rest) => {
        if (!hasMarker(req.rawHeaders)) return handler(req, ...rest)

        // Node builds these objects lazily from the list by its original length, so they are
        // built before the list shrinks, then lose the marker too.
        const { headers, headersDistinct } = req
        const replayOf = takeReplayMarker(req.rawHeaders)
        delete headers[MARKER_NAME]
        delete headersDistinct[MARKER_NAME]
        if (replayOf !== undefined) links.set(req.rawHeaders, replayOf)
        handler(req, ...rest)
      }
    },

    link(decide) {
      return (request) => {
        const decision = decide(request)
        const replayOf = links.get(request.rawHeaders)
        if (replayOf === undefined) return decision
        links.delete(request.rawHeaders)
        return { ...decision, fields: { ...decision.fields, replayOf } }
      }
    },
  }
}

/** True when a flat raw header list holds a marker line; cheap enough for every request. */
function hasMarker(rawHeaders: string[]): boolean {
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string
    if (name.length === MARKER_NAME.length && name.toLowerCase() === MARKER_NAME) return true
  }
  return false
}

/**
 * Removes every marker line from Node's flat raw header list, in place, and returns the id when
 * exactly one line held a positive whole number. Malformed or repeated markers are dropped all
 * the same, so none can reach the upstream, and link nothing.
 */
export function takeReplayMarker(rawHeaders: string[]): number | undefined {
  let found: string | undefined
  let count = 0
  for (let index = rawHeaders.length - 2; index >= 0; index -= 2) {
    const name = rawHeaders[index] as string
    // The length check keeps the cost of an ordinary request to a few comparisons.
    if (name.length !== MARKER_NAME.length || name.toLowerCase() !== MARKER_NAME) continue
    found = rawHeaders[index + 1]
    count++
    rawHeaders.splice(index, 2)
  }

  if (count !== 1 || found === undefined || !/^\s*[1-9]\d{0,15}\s*$/.test(found)) return undefined
  const id = Number(found)
  return Number.isSafeInteger(id) ? id : undefined
}
