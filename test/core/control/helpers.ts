import fs from 'node:fs'
import path from 'node:path'
import WebSocket from 'ws'
import type { ControlEvent, ControlMethod, ParamsOf, ResultOf } from '../../../shared/api'
import type { ErrorBody } from '../../../shared/errors'
import type { TollgateOptions } from '../../../electron/core/tollgate'
import { send, startServer, startTollgate, tempDir, type TestServer } from '../../support/servers'

export type ControlledTollgate = Awaited<ReturnType<typeof startTollgate>> & {
  control: NonNullable<Awaited<ReturnType<typeof startTollgate>>['control']>
}

/** A Tollgate with its control API on, in front of a test upstream that answers `{"ok":true}`. */
export async function startControlled(
  options: TollgateOptions = {},
): Promise<{ tollgate: ControlledTollgate; upstream: TestServer; stop(): Promise<void> }> {
  const upstream = await startServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json')
    res.end('{"ok":true}')
  })
  const renderer = tempDir()
  const tollgate = (await startTollgate({
    upstream: upstream.url,
    control: { rendererDir: renderer.dir },
    ...options,
  })) as ControlledTollgate
  return {
    tollgate,
    upstream,
    async stop() {
      await tollgate.stop()
      await upstream.close()
      renderer.remove()
    },
  }
}

export interface CallResult<T> {
  status: number
  body: T
}

/** Calls a control method with the token, plus any extra header lines. */
export async function call<M extends ControlMethod>(
  control: { url: string; token: string },
  method: M,
  params: ParamsOf<M>,
  headers: string[] = [],
): Promise<CallResult<ResultOf<M>>> {
  return callRaw(control.url, method, params, [
    'Authorization',
    `Bearer ${control.token}`,
    ...headers,
  ]) as unknown as Promise<CallResult<ResultOf<M>>>
}

/** Calls a control method with exactly the header lines given; errors come back as bodies. */
export async function callRaw(
  url: string,
  method: string,
  params: unknown,
  headers: string[],
): Promise<CallResult<unknown & ErrorBody>> {
  const response = await send(url, {
    method: 'POST',
    path: `/api/${method}`,
    headers: ['Content-Type', 'application/json', ...headers],
    body: JSON.stringify(params),
  })
  return { status: response.status, body: JSON.parse(response.body.toString('utf8')) }
}

/** An open events socket and every event it has received so far. */
export interface EventsSocket {
  socket: WebSocket
  events: ControlEvent[]
  /** Raw WebSocket messages received. */
  messageCount(): number
  close(): void
}

/**
 * Opens `/api/events`. Resolves once open; rejects with `{ status }` when the handshake is
 * refused. `host` and `origin` replace the headers a client on this machine would send.
 */
export function openEvents(
  control: { url: string; token: string },
  options: { token?: string | null; host?: string; origin?: string } = {},
): Promise<EventsSocket> {
  const url = new URL('/api/events', control.url.replace('http:', 'ws:'))
  const token = options.token === undefined ? control.token : options.token
  if (token !== null) url.searchParams.set('token', token)
  const headers: Record<string, string> = {}
  if (options.host) headers.Host = options.host

  const socket = new WebSocket(url, { headers, origin: options.origin })
  const events: ControlEvent[] = []
  let messages = 0
  socket.on('message', (data) => {
    messages += 1
    events.push(JSON.parse(data.toString()) as ControlEvent)
  })

  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({ socket, events, messageCount: () => messages, close: () => socket.terminate() }),
    )
    socket.once('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`refused with ${response.statusCode}`), response))
      response.resume()
    })
    socket.once('error', reject)
  })
}

/** A fake built UI: an index page, a script and a stylesheet, with a secret beside the folder. */
export function writeFakeRenderer(): { dir: string; root: string; remove(): void } {
  const temp = tempDir()
  const dir = path.join(temp.dir, 'renderer')
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Tollgate</title>')
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("ui")')
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body { margin: 0 }')
  fs.writeFileSync(path.join(temp.dir, 'package.json'), '{"secret":"outside the renderer"}')
  return { dir, root: temp.dir, remove: temp.remove }
}
