/**
 * Replays recorded traffic through a running Tollgate: each selected exchange is sent again to the
 * gateway's own proxy URL (never to the address it was recorded with), so the limits and CORS
 * rules in force now decide its fate, and the new row links back to the original. The result sets
 * every replayed status beside the recorded one.
 */

import { setMaxListeners } from 'node:events'
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Lateness, ReplayProgress } from '../../../shared/api'
import { TollgateError } from '../../../shared/errors'
import type { Store } from '../store'
import { buildReplayRequest, type BuildContext } from './replay-request'
import { checkPacing, dueOffset, waitUntil, type ReplayPacing } from './replay-pacing'
import {
  editOf,
  selectExchanges,
  type ReplaySelection,
  type SelectedExchanges,
} from './replay-selection'
import {
  hasChanged,
  summarizeByKey,
  totalOf,
  type KeyReplaySummary,
  type ReplayedRequest,
  type ReplayTotals,
  type StatusChange,
} from './replay-summary'
import { sendReplay, type Destination } from './send-replay'

/** The running Tollgate a replay goes through: a `Tollgate` fits. */
export interface ReplayGateway {
  /** The proxy's base URL. */
  url: string
  store: Pick<Store, 'flush' | 'list' | 'get'>
  config(): { keys: { headers: string[] } }
}

/** How a replay runs; every field is optional. */
export interface ReplayOptions {
  /** Default: the recorded timing, `{ mode: 'original', speed: 1 }`. */
  pacing?: ReplayPacing
  /** Requests in flight at most; a request due while all are busy waits. Default 32. */
  concurrency?: number
  /** Cancels the run: nothing more is sent and requests in flight are abandoned. */
  signal?: AbortSignal
  /** Called as requests complete; cheap enough to call each time, so throttle what it does. */
  onProgress?(progress: ReplayProgress): void
}

export type { Lateness, ReplayProgress }

/** Everything a replay found, per request and per budget. */
export interface ReplayResult {
  /** Per request, in the order sent. */
  requests: ReplayedRequest[]
  /** Per budget, in the order first used. */
  keys: KeyReplaySummary[]
  totals: ReplayTotals & { skipped: number; changes: StatusChange[] }
  /** Exchanges selected but not sent: WebSocket handshakes, rows deleted meanwhile. */
  skipped: { id: number; reason: string }[]
  cancelled: boolean
  /** Absent for `fastest`, which has no schedule. */
  lateness?: Lateness
  durationMs: number
}

const DEFAULT_CONCURRENCY = 32

/** A replay whose selection has been read and whose options were accepted. */
export interface PreparedReplay {
  /** Requests selected, skipped ones included. */
  total: number
  /** Sends them; call once. */
  run(): Promise<ReplayResult>
}

/**
 * Sends `selection` through `gateway` again. Never rejects for a failed request (failures are in
 * the result); rejects with a TollgateError for a selection that holds nothing or bad options.
 */
export async function replayTraffic(
  gateway: ReplayGateway,
  selection: ReplaySelection,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  return prepareReplay(gateway, selection, options).run()
}

/**
 * Checks the options and reads the selection now, throwing a TollgateError when either is
 * unusable, and returns the run to start later.
 */
export function prepareReplay(
  gateway: ReplayGateway,
  selection: ReplaySelection,
  options: ReplayOptions = {},
): PreparedReplay {
  const pacing = checkPacing(options.pacing ?? { mode: 'original' })
  const concurrency = checkConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY)
  const selected = selectExchanges(gateway.store, selection)
  return {
    total: selected.ids.length,
    run: () => runReplay(gateway, selection, selected, { ...options, pacing, concurrency }),
  }
}

async function runReplay(
  gateway: ReplayGateway,
  selection: ReplaySelection,
  { ids, startedAt }: SelectedExchanges,
  options: ReplayOptions & { pacing: ReplayPacing; concurrency: number },
): Promise<ReplayResult> {
  const { pacing, concurrency, signal } = options
  // Each request in flight listens for cancel, and a slot waiter may too: more than Node's 10.
  if (signal) setMaxListeners(concurrency + 2, signal)
  const { destination, context } = reachGateway(gateway, concurrency)
  const edit = editOf(selection)

  const requests: ReplayedRequest[] = []
  const skipped: ReplayResult['skipped'] = []
  const progress: ReplayProgress = {
    total: ids.length,
    sent: 0,
    completed: 0,
    answered: 0,
    failed: 0,
    limited: 0,
    changed: 0,
  }
  const slots = createSlots(concurrency)
  let built = 0
  const runStart = performance.now()
  options.onProgress?.({ ...progress })

  try {
    for (let position = 0; position < ids.length && !signal?.aborted; position++) {
      const id = ids[position]!
      // Read before the wait, so the log read never makes a request late.
      const exchange = gateway.store.get(id)
      if (exchange === undefined || exchange.kind === 'websocket') {
        const reason = exchange ? 'a WebSocket handshake is not replayed' : 'no longer in the log'
        skipped.push({ id, reason })
        continue
      }
      const request = buildReplayRequest(exchange, context, edit)
      const index = built++
      const due = dueOffset(pacing, index, startedAt[position]!, startedAt[0]!)

      try {
        if (due !== undefined) await waitUntil(runStart + due, signal)
        await slots.take(signal)
      } catch (error) {
        if (signal?.aborted) break
        throw error
      }

      progress.sent++
      const sending = sendReplay(request, destination, signal).then((outcome) => {
        const replayed: ReplayedRequest = {
          index,
          originalId: request.originalId,
          method: request.method,
          target: request.target,
          bucket: request.bucket,
          sentMs: outcome.sentAt - runStart,
          durationMs: outcome.durationMs,
        }
        if (request.keyMasked !== undefined) replayed.keyMasked = request.keyMasked
        if (request.originalStatus !== undefined) replayed.originalStatus = request.originalStatus
        if (outcome.status !== undefined) replayed.status = outcome.status
        if (outcome.failure !== undefined) replayed.failure = outcome.failure
        if (due !== undefined) replayed.dueMs = due
        requests[index] = replayed

        progress.completed++
        if (outcome.status !== undefined) progress.answered++
        if (outcome.failure && outcome.failure.reason !== 'cancelled') progress.failed++
        if (outcome.status === 429) progress.limited++
        if (hasChanged(replayed)) progress.changed++
        options.onProgress?.({ ...progress })
      })
      slots.track(sending)
    }
    await slots.drain()
  } finally {
    destination.agent.destroy()
  }

  const sent = requests.filter((request) => request !== undefined)
  const keys = summarizeByKey(sent)
  return {
    requests: sent,
    keys,
    totals: { ...totalOf(keys), skipped: skipped.length },
    skipped,
    cancelled: signal?.aborted ?? false,
    lateness: pacing.mode === 'fastest' ? undefined : measureLateness(sent),
    durationMs: performance.now() - runStart,
  }
}

/** The percentiles of how late each request left against its schedule. */
export function measureLateness(requests: readonly ReplayedRequest[]): Lateness | undefined {
  const late = requests
    .filter((request) => request.dueMs !== undefined && request.failure?.reason !== 'unsendable')
    .map((request) => Math.max(0, request.sentMs - request.dueMs!))
    .sort((a, b) => a - b)
  if (late.length === 0) return undefined
  const at = (share: number) => late[Math.min(late.length - 1, Math.ceil(share * late.length) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: late.at(-1)! }
}

/**
 * Where requests go: the gateway's own listening address, with a wildcard listen address
 * reached through loopback, and a keep-alive agent sized to the concurrency.
 */
function reachGateway(
  gateway: ReplayGateway,
  concurrency: number,
): { destination: Destination; context: BuildContext } {
  const url = new URL(gateway.url)
  if (url.protocol !== 'http:') {
    throw new TollgateError(
      'BAD_REQUEST',
      `The gateway URL ${gateway.url} is not http:; a replay goes to Tollgate's own proxy URL.`,
    )
  }
  const listened = url.hostname.replace(/^\[|\]$/g, '')
  const hostname = listened === '0.0.0.0' ? '127.0.0.1' : listened === '::' ? '::1' : listened
  const port = Number(url.port || 80)
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const gatewayHost = `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`
  return {
    destination: { hostname, port, agent },
    context: {
      gatewayHost,
      keyHeaders: gateway.config().keys.headers,
      // The gateway names keyless buckets by the peer address it sees: this process's.
      clientAddress: hostname === 'localhost' ? '127.0.0.1' : hostname,
    },
  }
}

/**
 * The concurrency cap: `take` waits for a free slot, `track` holds one until the request settles.
 * Waiters are woken one per freed slot, in order.
 */
function createSlots(capacity: number) {
  let busy = 0
  const waiting: (() => void)[] = []
  const pending = new Set<Promise<void>>()

  return {
    async take(signal?: AbortSignal): Promise<void> {
      while (busy >= capacity) {
        signal?.throwIfAborted()
        await new Promise<void>((resolve) => waiting.push(resolve))
      }
      signal?.throwIfAborted()
    },
    track(work: Promise<void>): void {
      busy++
      const tracked = work.finally(() => {
        busy--
        pending.delete(tracked)
        waiting.shift()?.()
      })
      pending.add(tracked)
    },
    async drain(): Promise<void> {
      await Promise.all(pending)
    },
  }
}

function checkConcurrency(value: number): number {
  if (Number.isSafeInteger(value) && value >= 1) return value
  throw new TollgateError(
    'BAD_REQUEST',
    `Replay concurrency ${JSON.stringify(value)} is not a whole number of 1 or more, such as 32.`,
  )
}
