import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createTollgate, type Tollgate, type TollgateOptions } from '../../electron/core/tollgate'
import { silentLogger } from '../../electron/core/logger'

/** A server on a free loopback port that the test stops in its cleanup. */
export interface TestServer {
  server: http.Server
  url: string
  port: number
  close(): Promise<void>
}

/** Starts an HTTP server on 127.0.0.1 with a free port. */
export async function startServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-test-'))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Starts a Tollgate on a free port with a log in a temp folder, quiet unless told otherwise. */
export async function startTollgate(
  options: TollgateOptions,
): Promise<Tollgate & { dbPath: string; stop(): Promise<void> }> {
  const temp = tempDir()
  const dbPath = path.join(temp.dir, 'traffic.db')
  const tollgate = await createTollgate({
    listen: { host: '127.0.0.1', port: 0 },
    db: dbPath,
    logger: silentLogger,
    ...options,
  })
  return Object.assign(tollgate, {
    dbPath,
    async stop() {
      await tollgate.close()
      temp.remove()
    },
  })
}

export interface RawResponse {
  status: number
  rawHeaders: string[]
  body: Buffer
}

export interface RawRequest {
  method?: string
  path?: string
  /** Flat `[name, value, ...]`, sent in this order and spelling. */
  headers?: string[]
  body?: Buffer | string | Buffer[]
  agent?: http.Agent | false
}

/** Sends a request with exact header lines and collects the whole response. */
export function send(baseUrl: string, request: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(request.path ?? '/', baseUrl)
  const headers = request.headers ?? []
  // Node adds no Host line to a raw header list, and HTTP/1.1 servers refuse a request without one.
  const hasHost = headers.some((name, index) => index % 2 === 0 && name.toLowerCase() === 'host')
  const lines = hasHost ? headers : ['Host', url.host, ...headers]
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: request.method ?? 'GET',
        headers: lines as unknown as http.OutgoingHttpHeaders,
        agent: request.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        )
        res.on('error', reject)
        res.on('close', () => {
          if (!res.complete) reject(new Error('the response ended before its body was complete'))
        })
      },
    )
    req.on('error', reject)
    const body = request.body
    if (Array.isArray(body)) body.forEach((chunk) => req.write(chunk))
    else if (body !== undefined) req.write(body)
    req.end()
  })
}

/** Values of one header in a flat raw list, case-insensitively. */
export function rawValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name.toLowerCase()) values.push(rawHeaders[i + 1]!)
  }
  return values
}

/** Waits until `check` passes or the time runs out. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Writes `text` on a fresh socket and resolves with everything the server sent back. */
export function sendRaw(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text))
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.on('error', reject)
  })
}
