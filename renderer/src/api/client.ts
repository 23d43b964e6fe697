/**
 * The UI's only way to the core: typed calls to the control API and its event stream.
 */

import type { ControlEvent, ControlMethod, ParamsOf, ResultOf } from '../../../shared/api'
import type { ErrorCode } from '../../../shared/errors'

export interface Connection {
  baseUrl: string
  token: string
}

/** A failed call; `code` is the core's error code, or NETWORK when the core did not answer. */
export class CallError extends Error {
  readonly code: ErrorCode | 'NETWORK'
  readonly status: number

  constructor(code: ErrorCode | 'NETWORK', message: string, status: number) {
    super(message)
    this.name = 'CallError'
    this.code = code
    this.status = status
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed'

const TOKEN_KEY = 'tollgate.token'

let connection: Connection | undefined

/**
 * Where the control API is and its token. The desktop preload hands both over; in a browser the
 * UI is served by the control API itself and the token arrives once in the URL fragment.
 */
export function readConnection(): Connection {
  if (connection) return connection
  const bridge = window.tollgate
  if (bridge?.token) {
    connection = { baseUrl: bridge.controlUrl ?? location.origin, token: bridge.token }
    return connection
  }

  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromFragment) {
    // Kept for reloads of this tab only; the address bar must not show it or bookmark it.
    sessionStorage.setItem(TOKEN_KEY, fromFragment)
    history.replaceState(null, '', location.pathname + location.search)
  }
  const token = fromFragment ?? sessionStorage.getItem(TOKEN_KEY) ?? ''
  connection = { baseUrl: location.origin, token }
  return connection
}

/** Calls one control API method; throws a CallError with the core's message on failure. */
export async function call<M extends ControlMethod>(
  method: M,
  params: ParamsOf<M>,
): Promise<ResultOf<M>> {
  const { baseUrl, token } = readConnection()
  let response: Response
  try {
    response = await fetch(`${baseUrl}/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(params),
    })
  } catch {
    throw new CallError('NETWORK', `Tollgate at ${baseUrl} did not answer. Is it running?`, 0)
  }

  const body: unknown = await response.json().catch(() => undefined)
  if (response.ok) return body as ResultOf<M>

  const error = (body as { error?: { code: ErrorCode; message: string } } | undefined)?.error
  throw new CallError(
    error?.code ?? 'INTERNAL',
    error?.message ?? `${method} failed with HTTP ${response.status}.`,
    response.status,
  )
}

/**
 * Listens to the core's events, reconnecting with a growing delay whenever the socket drops.
 * Returns the function that stops listening.
 */
export function subscribeEvents(
  onEvent: (event: ControlEvent) => void,
  onState: (state: ConnectionState) => void,
): () => void {
  const { baseUrl, token } = readConnection()
  let socket: WebSocket | undefined
  let stopped = false
  let attempt = 0
  let retry: ReturnType<typeof setTimeout> | undefined

  const open = () => {
    onState('connecting')
    const url = new URL('/api/events', baseUrl)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('token', token)
    socket = new WebSocket(url)

    socket.onopen = () => {
      attempt = 0
      onState('open')
    }
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return
      try {
        onEvent(JSON.parse(message.data) as ControlEvent)
      } catch {
        // A malformed event is dropped; the next reload of the view catches up.
      }
    }
    socket.onclose = () => {
      if (stopped) return
      onState('closed')
      const delay = Math.min(10_000, 500 * 2 ** attempt++)
      retry = setTimeout(open, delay)
    }
  }

  open()
  return () => {
    stopped = true
    clearTimeout(retry)
    socket?.close()
  }
}
