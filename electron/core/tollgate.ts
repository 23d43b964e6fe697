import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import path from 'node:path'
import type { Duplex } from 'node:stream'
import { version } from '../../package.json'
import { defaultConfig, type TollgateConfig, type TollgateConfigInput } from '../../shared/config'
import { resolveConfig } from '../../shared/config-validate'
import { TollgateError } from '../../shared/errors'
import { createConfigWarner } from './config-warnings'
import type { ExchangeSummary } from '../../shared/exchange'
import { createMonotonicClock, type Clock } from './clock'
import { controlHostFor, startControlServer, type ControlServer } from './control/control-server'
import { applySettings, saveSettings } from './control/settings-file'
import { defaultDbPath } from './data-dir'
import { startDemo, withoutDemoOrigin, type DemoOptions, type DemoPages } from './demo'
import { createLogger, type Logger } from './logger'
import { startMockUpstream, type MockOptions, type MockUpstream } from './mock'
import { createPolicies } from './policies'
import { createRequestHandler } from './proxy/gateway'
import { createUpstreamTarget, retireUpstreamTarget, type UpstreamTarget } from './proxy/forward'
import { createUpgradeHandler } from './proxy/websocket'
import { createReplayLinks } from './replay/replay-marker'
import { createReplayService } from './replay/replay-runs'
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
  control?: boolean | { port?: number; rendererDir?: string; allowedOrigins?: string[] }
  /**
   * Serves the demo page on two loopback ports: one origin allowed for this run (added to the
   * allowlist, never saved), one not. Off unless asked.
   */
  demo?: boolean | DemoOptions
  /**
   * Answers from a recorded session instead of the upstream: the nth request with a given method,
   * path and query gets the nth recorded answer; the rules still apply in front. Off unless asked.
   */
  mock?: MockOptions
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
  /** The demo pages, when started: one whose origin is allowed and one whose origin is not. */
  demo?: { allowedUrl: string; blockedUrl: string }
  /** The recorded session answering in place of the upstream, when mocking. */
  mock?: Pick<MockUpstream, 'url' | 'session' | 'whenExhausted' | 'reset'>
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
  'demo',
  'mock',
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

  // The log first: it is what most often refuses to start (another Tollgate holds the file), and
  // then nothing else has started yet.
  const store = openStore({
    path: config.db,
    logger: logger.child('store'),
    nativeBinding: options.nativeBinding,
    retention: config.retention,
    clock,
  })
  let sample: SampleApi | undefined
  let mock: MockUpstream | undefined
  const upstreamUrl = () => config.upstream ?? sample!.url
  try {
    if (config.upstream === undefined) {
      sample = await startSampleApi()
      logger.info(`no upstream configured: forwarding to the built-in sample API at ${sample.url}`)
    }
    // A mock is an upstream like any other to the gateway: a loopback server it forwards to.
    if (options.mock) {
      mock = await startMockUpstream({
        ...options.mock,
        store,
        upstream: upstreamUrl,
        logger: logger.child('mock'),
      })
    }
  } catch (error) {
    store.close()
    await sample?.close()
    throw error
  }
  const policies = createPolicies({
    config: () => config,
    clock,
    logger: logger.child('policy'),
    linkPreflight: (preflightId, requestId) => store.update(preflightId, { pairedId: requestId }),
  })

  let target: UpstreamTarget = createUpstreamTarget(mock?.url ?? upstreamUrl())
  // Replays mark their requests; the mark is taken off before the gateway reads the request.
  const replayLinks = createReplayLinks()

  const gatewayOptions = {
    target: () => target,
    decide: replayLinks.link(policies.decide),
    record: (exchange: Parameters<Store['record']>[0]) => store.record(exchange),
    nextId: () => store.nextId(),
    clock,
    maxBodyBytes: () => config.capture.maxBodyBytes,
    headersTimeoutMs: options.upstreamTimeoutMs ?? 30_000,
    logger: logger.child('proxy'),
  }
  const handleRequest = createRequestHandler(gatewayOptions)
  const server = http.createServer({ requestTimeout: 0 }, replayLinks.strip(handleRequest))
  const upgradeHandler = createUpgradeHandler(gatewayOptions)
  const handleUpgrade = replayLinks.strip(upgradeHandler)
  server.on('upgrade', handleUpgrade)
  server.on('connect', handleUpgrade)
  // Every client socket, so close() can end upgraded ones too (closeAllConnections() misses
  // them, and one open WebSocket would keep it waiting for ever) and then wait until each has
  // closed: a socket's close is what records the exchange still in flight on it.
  const openSockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    openSockets.add(socket)
    socket.once('close', () => openSockets.delete(socket))
  })
  // The response under way on each socket: a request body that turns out malformed after the
  // answer has started must cut the connection, not put a 400 inside that answer's body.
  const responses = new WeakMap<Duplex, http.ServerResponse>()
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    responses.set(req.socket, res)
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    logger.debug(`malformed request from a client: ${error.message}`)
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request'
    const refuse = () => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
    }
    const underway = responses.get(socket)
    // The last request's own body is malformed: once its answer has begun, a 400 would read as
    // part of it (or as the answer to a request never sent), so the connection is cut.
    if (underway && !underway.req.complete) {
      return underway.headersSent ? void socket.destroy() : refuse()
    }
    // Garbage after a whole request that is still being answered: that answer goes out first.
    if (underway && !underway.writableFinished && !underway.destroyed) {
      underway.once('finish', refuse)
      underway.once('close', () => {
        if (!underway.writableFinished) socket.destroy()
      })
      return
    }
    refuse()
  })

  let port: number
  try {
    await listen(server, config.listen.port, config.listen.host)
    port = (server.address() as AddressInfo).port
    refuseLoop(config.upstream, config.listen.host, port)
  } catch (error) {
    server.close()
    store.close()
    await mock?.close()
    await sample?.close()
    throw error
  }
  const hostForUrl = config.listen.host.includes(':')
    ? `[${config.listen.host}]`
    : config.listen.host
  const url = `http://${hostForUrl}:${port}`
  logger.info(`listening on ${url}, forwarding to ${upstreamUrl()}, logging to ${config.db}`)

  let demo: DemoPages | undefined
  if (options.demo) {
    try {
      const started = await startDemo({
        options: options.demo === true ? {} : options.demo,
        config,
        proxyPort: port,
        host: controlHostFor(config.listen.host),
        logger: logger.child('demo'),
      })
      demo = started.pages
      config = started.config
      policies.configChanged()
    } catch (error) {
      server.close()
      store.close()
      await mock?.close()
      await sample?.close()
      throw error
    }
  }

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
      refuseLoop(next.upstream, next.listen.host, port)
      if (next.db !== config.db) {
        throw new Error(
          `The database cannot change while Tollgate runs (${config.db}). Restart with --db.`,
        )
      }
      const upstreamChanged = next.upstream !== config.upstream
      config = next
      // A mock keeps answering; it reads the new upstream when it forwards. Exchanges under way
      // with the old upstream finish there.
      if (upstreamChanged && mock === undefined) {
        retireUpstreamTarget(target)
        target = createUpstreamTarget(upstreamUrl())
      }
      policies.configChanged()
      warnConfig(config)
      return config
    },
    onRecorded: (listener) => store.onRecorded(listener),
    demo: demo && { allowedUrl: demo.allowedUrl, blockedUrl: demo.blockedUrl },
    mock: mock && {
      url: mock.url,
      session: mock.session,
      whenExhausted: mock.whenExhausted,
      reset: mock.reset,
    },
    close() {
      closing ??= (async () => {
        replay.close()
        await control?.close()
        await demo?.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeIdleConnections()
          setTimeout(() => {
            handleRequest.stopping()
            upgradeHandler.stopping()
            for (const socket of openSockets) socket.destroy()
          }, 2000).unref()
        })
        // The server reports closed a moment before its last sockets do.
        await Promise.all(
          [...openSockets].map((socket) => new Promise((resolve) => socket.once('close', resolve))),
        )
        policies.close()
        handleRequest.close()
        upgradeHandler.close()
        target.agent.destroy()
        await mock?.close()
        store.close()
        await sample?.close()
      })()
      return closing
    },
  }

  const replay = createReplayService({
    gatewayUrl: url,
    store,
    config: () => config,
    logger: logger.child('replay'),
    version,
  })
  const controlOptions = options.control === true ? {} : options.control || undefined
  if (controlOptions) {
    const settingsPath = options.settingsPath
    try {
      control = await startControlServer({
        host: controlHostFor(config.listen.host),
        controlPort: controlOptions.port,
        rendererDir: controlOptions.rendererDir ?? path.resolve('out', 'renderer'),
        allowedOrigins: controlOptions.allowedOrigins,
        logger: logger.child('control'),
        core: {
          status: () => ({
            proxyUrl: url,
            upstream: upstreamUrl(),
            sampleUpstream: config.upstream === undefined,
            db: config.db,
            logging: store.status(),
            demo: tollgate.demo,
          }),
          config: () => config,
          updateConfig: (change) => tollgate.updateConfig(change),
          saveSettings: settingsPath
            ? (change) => saveSettings(settingsPath, withoutDemoOrigin(change, demo?.allowedOrigin))
            : undefined,
          store,
          budgets: (buckets) => policies.budgets(clock(), buckets),
          now: clock,
          replay,
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

/** Names of this machine as a client dials it: loopback, or the address meaning "any". */
const THIS_MACHINE =
  /^(localhost|0\.0\.0\.0|::|::1|127(\.\d{1,3}){3}|::ffff:(127(\.\d{1,3}){3}|7f[0-9a-f]{2}:[0-9a-f]{1,4}))$/

/**
 * Throws when `upstream` is Tollgate's own proxy address: every request would come back to it,
 * spending the budget on each pass until the upstream timeout. A local address on Tollgate's own
 * port counts as its own even when it is another socket: better refused than looping.
 */
function refuseLoop(upstream: string | undefined, listenHost: string, port: number): void {
  if (upstream === undefined) return
  const url = new URL(upstream)
  const upstreamPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  const listening = listenHost.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  const sameHost = host === listening || (THIS_MACHINE.test(host) && THIS_MACHINE.test(listening))
  if (upstreamPort !== port || !sameHost) return
  throw new TollgateError(
    'CONFIG_INVALID',
    `upstream ${upstream} is Tollgate's own address, so every request would come back to it. Point upstream at the API itself.`,
  )
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
