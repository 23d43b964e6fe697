import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../../../electron/core/logger'
import type { LoggedExchange } from '../../../electron/core/store'

/** A fresh directory under the system temp dir, and a function that removes it. */
export function makeTempDir(): { dir: string; file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-store-'))
  return {
    dir,
    file: path.join(dir, 'traffic.db'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

/** A logger that keeps its lines for assertions. */
export function makeRecordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const logger = {
    lines,
    debug: () => {},
    info: (message: string) => lines.push(`info ${message}`),
    warn: (message: string) => lines.push(`warn ${message}`),
    error: (message: string) => lines.push(`error ${message}`),
    child: () => logger,
  }
  return logger
}

/** A plain GET answered 200, with only the required fields; override what a test cares about. */
export function makeExchange(id: number, overrides: Partial<LoggedExchange> = {}): LoggedExchange {
  return {
    id,
    kind: 'http',
    startedAt: 1_700_000_000_000 + id,
    method: 'GET',
    url: `/items/${id}`,
    httpVersion: '1.1',
    status: 200,
    clientAddress: '127.0.0.1',
    requestHeaders: [['Host', 'localhost:8787']],
    responseHeaders: [['Content-Type', 'application/json']],
    requestBody: new Uint8Array(0),
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBody: Buffer.from(`{"id":${id}}`),
    responseBodySize: `{"id":${id}}`.length,
    responseBodyTruncated: false,
    ...overrides,
  }
}
