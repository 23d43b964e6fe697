import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { defaultConfig, type TollgateConfig, type TollgateConfigInput } from '../../shared/config'
import { resolveConfig } from '../../shared/config-validate'
import { TollgateError } from '../../shared/errors'
import { createConfigWarner } from './config-warnings'
import type { ExchangeSummary } from '../../shared/exchange'
import { createMonotonicClock, type Clock } from './clock'
import { defaultDbPath } from './data-dir'
import { createLogger, type Logger } from './logger'
import { createPolicies } from './policies'
import { createRequestHandler } from './proxy/gateway'
import { createUpstreamTarget, type UpstreamTarget } from './proxy/forward'
import { createUpgradeHandler } from './proxy/websocket'
import { startSampleApi, type SampleApi } from './sample-api'
import { openStore, type Store } from './store'

/** Options of `createTollgate`: the config shape, plus what only code can pass. */
export interface TollgateOptions extends TollgateConfigInput {
  /** Epoch milliseconds; everything that reads time uses it. Defaults to a monotonic clock. */
  clock?: Clock
  logger?: Logger
  /** How long to wait for an upstream's response headers before answering 504. */
  upstreamTimeoutMs?: number
  /** Path to a better-sqlite3 native module built for this runtime (the desktop app's copy). */
  nativeBinding?: string
}

/** A running Tollgate. */
export interface Tollgate {
  /** The proxy's base URL, e.g. `http://127.0.0.1:8787`. */
  url: string
  port: number
  /** The upstream requests go to (the sample API's URL when none was configured). */
  upstream: string
  /** The config in force. */
  config(): TollgateConfig
  /** Applies a partial config at once; a bad one throws and the old one stays in force. */
  updateConfig(change: TollgateConfigInput): TollgateConfig
  /** The traffic log: queries, counts, clearing. */
  store: Store
  /** Calls `listener` with each batch of exchanges once it is in the log; returns an unsubscribe. */
  onRecorded(listener: (exchanges: ExchangeSummary[]) => void): () => void
  /** Stops listening, writes every pending row and closes the log. */
  close(): Promise<void>
}

const OPTION_ONLY_KEYS = ['clock', 'logger', 'upstreamTimeoutMs', 'nativeBinding'] as const

/**
 * Starts a Tollgate: the proxy listening, the policies in force and the traffic log open.
 * With no `upstream`, a built-in sample API is started and used.
 */
export async function createTollgate(options: TollgateOptions = {}): Promise<Tollgate> {
  const logger = options.logger ?? createLogger('tollgate')
  const clock = options.clock ?? createMonotonicClock()
  const configInput = Object.fromEntries(
    Object.entries(options).filter(
      ([key]) => !(OPTION_ONLY_KEYS as readonly string[]).includes(key),
    ),
  )
  let config = resolveConfig(configInput, defaultConfig(defaultDbPath()))
  const warnConfig = createConfigWarner(logger.child('config'))
  warnConfig(config)

  let sample: SampleApi | undefined
  if (config.upstream === undefined) {
    sample = await startSampleApi()
    logger.info(`no upstream configured: forwarding to the built-in sample API at ${sample.url}`)
  }
  const upstreamUrl = () => config.upstream ?? sample!.url
  let target: UpstreamTarget = createUpstreamTarget(upstreamUrl())

  const store = openStore({
    path: config.db,
    logger: logger.child('store'),
    nativeBinding: options.nativeBinding,
    retention: config.retention,
    clock,
  })
  const policies = createPolicies({
    config: () => config,
    clock,
    logger: logger.child('policy'),
    linkPreflight: (preflightId, requestId) => store.update(preflightId, { pairedId: requestId }),
  })

  const gatewayOptions = {
    target: () => target,
    decide: policies.decide,
    record: (exchange: Parameters<Store['record']>[0]) => store.record(exchange),
    nextId: () => store.nextId(),
    clock,
    maxBodyBytes: () => config.capture.maxBodyBytes,
    headersTimeoutMs: options.upstreamTimeoutMs ?? 30_000,
    logger: logger.child('proxy'),
  }
  const server = http.createServer({ requestTimeout: 0 }, createRequestHandler(gatewayOptions))
  server.on('upgrade', createUpgradeHandler(gatewayOptions))
  server.on('clientError', (error, socket) => {
    logger.debug(`malformed request from a client: ${error.message}`)
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
  })

  try {
    await listen(server, config.listen.port, config.listen.host)
  } catch (error) {
    store.close()
    await sample?.close()
    throw error
  }
  const { port } = server.address() as AddressInfo
  const hostForUrl = config.listen.host.includes(':')
    ? `[${config.listen.host}]`
    : config.listen.host
  const url = `http://${hostForUrl}:${port}`
  logger.info(`listening on ${url}, forwarding to ${upstreamUrl()}, logging to ${config.db}`)

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    upstream: upstreamUrl(),
    store,
    config: () => config,
    updateConfig(change) {
      const next = resolveConfig(change, config)
      if (next.db !== config.db) {
        throw new Error(
          `The database cannot change while Tollgate runs (${config.db}). Restart with --db.`,
        )
      }
      const upstreamChanged = next.upstream !== config.upstream
      config = next
      if (upstreamChanged) {
        target.agent.destroy()
        target = createUpstreamTarget(upstreamUrl())
      }
      policies.configChanged()
      warnConfig(config)
      return config
    },
    onRecorded: (listener) => store.onRecorded(listener),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeIdleConnections()
          setTimeout(() => server.closeAllConnections(), 2000).unref()
        })
        policies.close()
        target.agent.destroy()
        store.close()
        await sample?.close()
      })()
      return closing
    },
  }
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === 'EADDRINUSE'
          ? `Port ${port} on ${host} is taken. Stop what uses it, or pass --port 0 for any free port.`
          : error.message
      reject(new Error(`Tollgate could not listen on ${host}:${port}: ${hint}`))
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}
