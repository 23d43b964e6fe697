import { BrowserWindow, type WebContents } from 'electron'
import type { Logger } from '../core/logger'
import { guardWebContents, hardenedPreferences } from './security'

/** More crashes than this within a minute stop the automatic reloads. */
const MAX_RELOADS_PER_MINUTE = 3

export interface MainWindowOptions {
  /** The UI's address: the control server's, or the dev server's under `electron-vite dev`. */
  url: string
  /** The built preload script. */
  preload: string
  logger: Logger
  clock?: () => number
}

/** Opens the window on the UI, locked to the UI's origin and reloaded if its renderer dies. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 520,
    title: 'Tollgate',
    // Shown once the first paint is ready, so the window never flashes blank.
    show: false,
    webPreferences: hardenedPreferences(options.preload),
  })
  window.once('ready-to-show', () => window.show())

  guardWebContents(window.webContents, new URL(options.url).origin, options.logger)
  reloadAfterCrash(window.webContents, options.logger, options.clock ?? Date.now)

  window.loadURL(options.url).catch((error: Error) => {
    options.logger.error(`the window could not load ${options.url}: ${error.message}`)
  })
  return window
}

/** Brings the window to the front, out of the dock or taskbar if it was minimized. */
export function focusWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

/**
 * Reloads the page when its renderer crashes or is killed; a renderer that keeps dying is left
 * down rather than reloaded in a loop.
 */
export function reloadAfterCrash(contents: WebContents, logger: Logger, clock: () => number) {
  const recent: number[] = []

  contents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return

    const now = clock()
    while (recent.length > 0 && now - recent[0]! > 60_000) recent.shift()
    recent.push(now)
    if (recent.length > MAX_RELOADS_PER_MINUTE) {
      logger.error(
        `the window's page died again (${details.reason}), ${recent.length} times in a minute; ` +
          'not reloading. Use View > Reload once the cause is fixed.',
      )
      return
    }

    logger.warn(`the window's page died (${details.reason}); reloading it`)
    contents.reload()
  })
}
