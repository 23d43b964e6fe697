import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { defaultConfig, type TollgateConfig, type TollgateConfigInput } from '../../shared/config'
import { resolveConfig } from '../../shared/config-validate'
import { TollgateError } from '../../shared/errors'
import { createConfigWarner } from './config-warnings'
import type { ExchangeSummary } from '../../shared/exchange'
import { createMonotonicClock, type Clock } from './clock'
import { controlHostFor, startControlServer, type ControlServer } from './control/control-server'
import { applySettings, saveSettings } from './control/settings-file'
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
  /** A JSON file of settings changed in the UI: loaded under these options, saved on change. */
  settingsPath?: string
  /**
   * Starts the control API and the UI on a loopback port of their own. Off unless asked;
   * `rendererDir` is the built UI, by default `out/renderer` under the working directory.
   */
  control?: boolean | { port?: number; rendererDir?: string }
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
  /** Where the control API and the UI are, when started; `uiUrl` carries the token. */
  control?: { url: string; token: string; uiUrl: string }
  /** Stops listening, writes every pending row and closes the log. */
  close(): Promise<void>
}

const OPTION_ONLY_KEYS = [
  'clock',
  'logger',
  'upstreamTimeoutMs',
  'nativeBinding',
  'settingsPath',
  'control',
] as const

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
  // Saved settings go over the defaults, and this call's options over both.
  const defaults = defaultConfig(defaultDbPath())
  const base = options.settingsPath ? applySettings(options.settingsPath, defaults) : defaults
  let config = resolveConfig(configInput, base)
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
  let control: ControlServer | undefined
  const tollgate: Tollgate = {
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
        await control?.close()
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

  const controlOptions = options.control === true ? {} : options.control || undefined
  if (controlOptions) {
    const settingsPath = options.settingsPath
    try {
      control = await startControlServer({
        host: controlHostFor(config.listen.host),
        controlPort: controlOptions.port,
        rendererDir: controlOptions.rendererDir ?? path.resolve('out', 'renderer'),
        logger: logger.child('control'),
        core: {
          status: () => ({
            proxyUrl: url,
            upstream: upstreamUrl(),
            sampleUpstream: config.upstream === undefined,
            db: config.db,
            logging: store.status(),
          }),
          config: () => config,
          updateConfig: (change) => tollgate.updateConfig(change),
          saveSettings: settingsPath ? (change) => saveSettings(settingsPath, change) : undefined,
          store,
          budgets: (buckets) => policies.budgets(clock(), buckets),
          now: clock,
        },
      })
    } catch (error) {
      await tollgate.close()
      throw error
    }
    tollgate.control = { url: control.url, token: control.token, uiUrl: control.uiUrl }
  }
  return tollgate
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
