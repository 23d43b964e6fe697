import { ipcMain, shell, type IpcMainEvent, type Session, type WebContents } from 'electron'
import { CONTROL_CHANNEL, type ControlHandoff } from '../preload/control-channel'
import type { Logger } from '../core/logger'

/** The window's web preferences: no Node in the page, an isolated preload, Chromium's sandbox. */
export function hardenedPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    nodeIntegration: false,
    sandbox: true,
    webSecurity: true,
  }
}

/** Whether `url` belongs to `origin`; anything unparsable does not. */
export function isSameOrigin(url: string | undefined, origin: string): boolean {
  if (!url) return false
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}

/**
 * Where a link the page wants in a new window goes: http(s) to the system browser, anything
 * else (file:, javascript:, custom schemes) nowhere.
 */
export function chooseExternalTarget(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined
  } catch {
    return undefined
  }
}

/** Keeps the window on the UI: no navigation away, no new windows, links to the browser. */
export function guardWebContents(contents: WebContents, origin: string, logger: Logger): void {
  contents.on('will-navigate', (event) => {
    if (isSameOrigin(event.url, origin)) return
    event.preventDefault()
    logger.warn(`refused to navigate the window to ${event.url}; it only shows ${origin}`)
  })

  contents.setWindowOpenHandler(({ url }) => {
    const target = chooseExternalTarget(url)
    if (target) {
      shell.openExternal(target).catch((error: Error) => {
        logger.warn(`could not open ${target} in the browser: ${error.message}`)
      })
    } else {
      logger.warn(`dropped a link to ${url}: only http and https links open`)
    }
    return { action: 'deny' }
  })
}

/**
 * Refuses every permission a page can ask for (camera, notifications, geolocation...) except
 * writing plain text to the clipboard, which the UI's copy buttons use.
 */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(permission === 'clipboard-sanitized-write')
  })
}

/**
 * Answers the preload's request for the control API's address and token, but only to a page
 * from the UI's origin. Returns a function that stops answering.
 */
export function answerControlRequests(handoff: ControlHandoff, origin: string): () => void {
  const answer = (event: IpcMainEvent) => {
    event.returnValue = isSameOrigin(event.senderFrame?.url, origin) ? { ...handoff } : null
  }
  ipcMain.on(CONTROL_CHANNEL, answer)
  return () => ipcMain.off(CONTROL_CHANNEL, answer)
}
