/**
 * Sends one built replay request to the gateway and reads its answer. The body of the answer is
 * drained and dropped, except for a 502 or 504, which is read far enough to tell Tollgate's own
 * "upstream unreachable" answer from an upstream that sent that status itself.
 */

import http from 'node:http'
import { performance } from 'node:perf_hooks'
import type { ReplayFailure } from '../../../shared/api'
import type { ErrorCode } from '../../../shared/errors'
import type { ReplayRequest } from './replay-request'

export type { ReplayFailure }

/** What one request got. */
export interface SendOutcome {
  status?: number
  failure?: ReplayFailure
  /** `performance.now()` just before the request was handed to the socket. */
  sentAt: number
  durationMs: number
}

/** The gateway's address, and the agent that pools connections to it. */
export interface Destination {
  hostname: string
  port: number
  agent: http.Agent
}

/** Bytes of a 502/504 body read to find Tollgate's error code. */
const ERROR_BODY_BYTES = 4096
const GATEWAY_ERRORS = new Set<string>(['UPSTREAM_UNREACHABLE', 'UPSTREAM_TIMEOUT'])

/** Sends `request`; never rejects. Aborting `signal` ends it as a `cancelled` failure. */
export function sendReplay(
  request: ReplayRequest,
  destination: Destination,
  signal?: AbortSignal,
): Promise<SendOutcome> {
  return new Promise((resolve) => {
    let sentAt = performance.now()
    let settled = false
    const settle = (outcome: Omit<SendOutcome, 'sentAt' | 'durationMs'>) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      resolve({ ...outcome, sentAt, durationMs: performance.now() - sentAt })
    }

    let outgoing: http.ClientRequest | undefined
    const onAbort = () => {
      settle({ failure: { reason: 'cancelled', message: 'The replay was cancelled.' } })
      outgoing?.destroy()
    }

    try {
      outgoing = http.request({
        hostname: destination.hostname,
        port: destination.port,
        method: request.method,
        path: request.target,
        // A flat list keeps every line as recorded; Node then adds no Host, which the list has.
        headers: request.headers as unknown as http.OutgoingHttpHeaders,
        agent: destination.agent,
      })
    } catch (error) {
      settle({ failure: { reason: 'unsendable', message: describeUnsendable(request, error) } })
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })

    outgoing.on('response', (response) => {
      const status = response.statusCode ?? 0
      const keep = status === 502 || status === 504
      const chunks: Buffer[] = []
      let kept = 0
      response.on('data', (chunk: Buffer) => {
        if (!keep || kept >= ERROR_BODY_BYTES) return
        chunks.push(chunk)
        kept += chunk.length
      })
      response.on('end', () => {
        const code = keep ? readGatewayError(Buffer.concat(chunks)) : undefined
        if (code === undefined) return settle({ status })
        const message = `Tollgate answered ${status} ${code}: the upstream could not be reached or did not answer in time.`
        settle({ status, failure: { reason: 'upstream', code, message } })
      })
      response.on('error', () => {})
      response.on('close', () => {
        if (response.complete) return
        const message = `The gateway closed the connection during the ${status} response's body.`
        settle({ status, failure: { reason: 'network', message } })
      })
    })
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const cause = error.code ? `${error.code} (${error.message})` : error.message
      const message = `No response from the gateway at ${destination.hostname}:${destination.port}: ${cause}.`
      settle({ failure: { reason: 'network', message } })
    })

    sentAt = performance.now()
    outgoing.end(request.body)
  })
}

function describeUnsendable(request: ReplayRequest, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error)
  return `Exchange ${request.originalId} (${request.method} ${request.target}) cannot be sent as recorded: ${reason}. Edit the exchange before replaying it.`
}

/** Tollgate's own error code in a 502/504 body, when that is what the body is. */
function readGatewayError(body: Buffer): ErrorCode | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: unknown } }
    const code = parsed?.error?.code
    return typeof code === 'string' && GATEWAY_ERRORS.has(code) ? (code as ErrorCode) : undefined
  } catch {
    return undefined
  }
}
