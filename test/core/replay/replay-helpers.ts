/** Shared pieces of the replay tests: a clock that runs fast, and an upstream that keeps what it got. */

import type { IncomingMessage } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Clock } from '../../../electron/core/clock'
import { startServer, type TestServer } from '../../support/servers'

/** A gateway clock that runs `factor` times faster than real time and can jump ahead. */
export interface FastClock extends Clock {
  /** Moves the clock forward by `ms` of its own time. */
  jump(ms: number): void
}

/** Creates a clock starting now that advances `factor` ms for each real millisecond. */
export function createFastClock(factor: number): FastClock {
  const anchor = Date.now()
  const start = performance.now()
  let skew = 0
  const clock = () => Math.floor(anchor + (performance.now() - start) * factor) + skew
  return Object.assign(clock, { jump: (ms: number) => void (skew += ms) })
}

/** One request as the upstream received it. */
export interface ReceivedRequest {
  method: string
  url: string
  rawHeaders: string[]
  body: Buffer
}

/** An upstream that answers 200 `{"ok":true}` and keeps every request it received. */
export async function startRecordingUpstream(): Promise<
  TestServer & { received: ReceivedRequest[] }
> {
  const received: ReceivedRequest[] = []
  const server = await startServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        rawHeaders: [...req.rawHeaders],
        body: Buffer.concat(chunks),
      })
      res.setHeader('Content-Type', 'application/json')
      res.end('{"ok":true}')
    })
  })
  return Object.assign(server, { received })
}

/** The names of a flat raw header list, lower case. */
export function headerNames(rawHeaders: string[]): string[] {
  return rawHeaders.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase())
}
