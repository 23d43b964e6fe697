import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { app, dialog, session, type BrowserWindow } from 'electron'
import { createLogger, type Logger } from '../core/logger'
import { createTollgate, type TollgateOptions } from '../core/tollgate'
import { installMenu } from './menu'
import { chooseNativeBinding } from './native-module'
import { answerControlRequests, denyPermissions } from './security'
import { createMainWindow, focusWindow } from './window'

/** The part of a running core the shell needs. */
export interface DesktopCore {
  control?: { url: string; token: string }
  close(): Promise<void>
}

export interface DesktopOptions {
  /** Starts the core; defaults to createTollgate. Tests pass one that keeps the instance. */
  startCore?: (options: TollgateOptions) => Promise<DesktopCore>
  logger?: Logger
  /** The renderer's dev server under `electron-vite dev`; the control server's UI otherwise. */
  rendererUrl?: string
  /** The folder holding out/ and native/; defaults to the app's folder. */
  appRoot?: string
}

type CoreState = 'starting' | 'running' | 'closing'

/**
 * Runs the desktop app: one instance, the core in this process with its files in the user's
 * data folder, one window on the UI, and a quit that writes every pending log row first.
 */
export function startDesktop(options: DesktopOptions = {}): void {
  const logger = options.logger ?? createLogger('tollgate')
  const startCore = options.startCore ?? createTollgate
  const appRoot = () => options.appRoot ?? app.getAppPath()

  // A second launch hands over to the running app, which brings its window forward.
  if (!app.requestSingleInstanceLock()) {
    logger.info('Tollgate is already running; bringing its window forward')
    app.quit()
    return
  }

  let state: CoreState = 'starting'
  let core: Promise<DesktopCore | undefined> = Promise.resolve(undefined)
  let window: BrowserWindow | undefined
  let windowUrl: string | undefined

  const openWindow = (url: string) => {
    const preload = path.join(appRoot(), 'out', 'preload', 'index.cjs')
    window = createMainWindow({ url, preload, logger })
    window.on('closed', () => (window = undefined))
  }

  const fail = (title: string, message: string) => {
    logger.error(`${title}: ${message}`)
    dialog.showErrorBox(title, message)
    app.exit(1)
  }

  const launch = async () => {
    installMenu()
    denyPermissions(session.defaultSession)

    const binding = chooseNativeBinding(appRoot())
    if ('problem' in binding) return fail('Tollgate cannot open its traffic log', binding.problem)

    const dataDir = app.getPath('userData')
    mkdirSync(dataDir, { recursive: true })
    core = startCore({
      db: path.join(dataDir, 'traffic.db'),
      settingsPath: path.join(dataDir, 'settings.json'),
      // Named rather than left to the core's default, which is relative to the working folder.
      control: {
        rendererDir: path.join(appRoot(), 'out', 'renderer'),
        // Under `electron-vite dev` the window is the dev server's page, calling the API cross-origin.
        allowedOrigins: options.rendererUrl ? [new URL(options.rendererUrl).origin] : [],
      },
      nativeBinding: binding.nativeBinding,
      logger,
    }).catch((error: Error) => {
      fail('Tollgate could not start', error.message)
      return undefined
    })
    const running = await core
    if (!running || state === 'closing') return
    if (!running.control) return fail('Tollgate could not start', 'The core has no control API.')
    state = 'running'

    windowUrl = options.rendererUrl ?? running.control.url
    answerControlRequests(
      { controlUrl: running.control.url, token: running.control.token },
      new URL(windowUrl).origin,
    )
    openWindow(windowUrl)
  }

  // Quitting waits for the core: the proxy stops, pending rows are written, the file closes.
  const shutdown = async () => {
    try {
      await (await core)?.close()
    } catch (error) {
      logger.error(`closing the core failed: ${(error as Error).message}`)
    }
    app.exit(0)
  }

  // A second launch, or a click on the dock icon, shows the window, reopening it if it was closed.
  const showWindow = () => {
    if (window) focusWindow(window)
    else if (windowUrl && state === 'running') openWindow(windowUrl)
  }
  app.on('second-instance', showWindow)
  app.on('activate', showWindow)
  app.on('window-all-closed', () => {
    // On macOS an app stays open without windows, as users of the platform expect.
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('before-quit', (event) => {
    event.preventDefault()
    if (state === 'closing') return
    state = 'closing'
    void shutdown()
  })
  // Ctrl-C in the terminal of `npm start` reaches this process twice: once from the terminal,
  // once forwarded by the launcher. Each only asks to quit, so the second changes nothing.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())

  app
    .whenReady()
    .then(launch)
    .catch((error: Error) => fail('Tollgate could not start', error.message))
}
