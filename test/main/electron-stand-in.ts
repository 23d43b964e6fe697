/**
 * A stand-in for the `electron` module, which cannot load outside Electron. Each fake records
 * what the shell asked of it, and the test drives the events Electron would emit.
 */

import { EventEmitter } from 'node:events'

/** An Electron event: records preventDefault. */
export class FakeEvent {
  defaultPrevented = false
  returnValue: unknown = undefined
  constructor(fields: Record<string, unknown> = {}) {
    Object.assign(this, fields)
  }
  preventDefault() {
    this.defaultPrevented = true
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => (resolve = done))
  return { promise, resolve }
}

class FakeApp extends EventEmitter {
  lockGranted = true
  userData = ''
  appPath = ''
  isPackaged = false
  quitCalls = 0
  /** before-quit events, so a test can see that one was held back. */
  beforeQuitEvents: FakeEvent[] = []
  exitCode: number | undefined
  private ready = deferred<void>()
  private exited = deferred<number>()

  requestSingleInstanceLock() {
    return this.lockGranted
  }
  whenReady() {
    return this.ready.promise
  }
  getPath(name: string) {
    if (name !== 'userData') throw new Error(`the stand-in has no path ${name}`)
    return this.userData
  }
  getAppPath() {
    return this.appPath
  }
  /** Like Electron: before-quit first, and nothing more when a listener prevented it. */
  quit() {
    this.quitCalls += 1
    const event = new FakeEvent()
    this.beforeQuitEvents.push(event)
    this.emit('before-quit', event)
    if (!event.defaultPrevented) this.exit(0)
  }
  exit(code = 0) {
    this.exitCode = code
    this.exited.resolve(code)
  }

  /** Test side: Electron finished starting. */
  becomeReady() {
    this.ready.resolve()
  }
  /** Test side: resolves with the exit code once the app exits. */
  whenExited() {
    return this.exited.promise
  }
  reset() {
    this.removeAllListeners()
    Object.assign(this, {
      lockGranted: true,
      userData: '',
      appPath: '',
      quitCalls: 0,
      beforeQuitEvents: [],
      exitCode: undefined,
      ready: deferred<void>(),
      exited: deferred<number>(),
    })
  }
}

export const app = new FakeApp()

type OpenHandler = (details: { url: string }) => { action: string }

export class FakeWebContents extends EventEmitter {
  loaded: string[] = []
  reloads = 0
  windowOpenHandler: OpenHandler | undefined

  setWindowOpenHandler(handler: OpenHandler) {
    this.windowOpenHandler = handler
  }
  loadURL(url: string) {
    this.loaded.push(url)
    return Promise.resolve()
  }
  reload() {
    this.reloads += 1
  }

  /** Test side: the page starts a navigation; returns whether the shell let it proceed. */
  navigate(url: string) {
    const event = new FakeEvent({ url })
    this.emit('will-navigate', event, url)
    return !event.defaultPrevented
  }
  /** Test side: the page calls window.open. */
  open(url: string) {
    if (!this.windowOpenHandler) throw new Error('no window open handler was set')
    return this.windowOpenHandler({ url })
  }
  /** Test side: the renderer process dies. */
  crash(reason = 'crashed') {
    this.emit('render-process-gone', new FakeEvent(), { reason, exitCode: 1 })
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = []
  webContents = new FakeWebContents()
  minimized = false
  visible = false
  focused = 0

  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    super()
    BrowserWindow.instances.push(this)
  }
  loadURL(url: string) {
    return this.webContents.loadURL(url)
  }
  isMinimized() {
    return this.minimized
  }
  restore() {
    this.minimized = false
  }
  show() {
    this.visible = true
  }
  focus() {
    this.focused += 1
  }
}

export const Menu = {
  installed: [] as { template: { role?: string }[] }[],
  buildFromTemplate: (template: { role?: string }[]) => ({ template }),
  setApplicationMenu(menu: { template: { role?: string }[] }) {
    Menu.installed.push(menu)
  },
}

export const shell = {
  opened: [] as string[],
  openExternal(url: string) {
    shell.opened.push(url)
    return Promise.resolve()
  },
}

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string) {
    dialog.errors.push({ title, content })
  },
}

type PermissionHandler = (
  contents: unknown,
  permission: string,
  callback: (ok: boolean) => void,
) => void

export const session = {
  defaultSession: {
    permissionHandler: undefined as PermissionHandler | undefined,
    setPermissionRequestHandler(handler: PermissionHandler) {
      session.defaultSession.permissionHandler = handler
    },
  },
}

export const ipcMain = new EventEmitter()

/** The renderer side of IPC: sendSync reaches ipcMain with the page's URL as its sender. */
export const ipcRenderer = {
  pageUrl: '',
  sendSync(channel: string, ...args: unknown[]) {
    const event = new FakeEvent({ senderFrame: { url: ipcRenderer.pageUrl } })
    if (!ipcMain.emit(channel, event, ...args)) throw new Error(`nobody answers ${channel}`)
    return event.returnValue
  },
}

export const contextBridge = {
  exposed: {} as Record<string, unknown>,
  exposeInMainWorld(key: string, api: unknown) {
    contextBridge.exposed[key] = api
  },
}

/** Forgets everything recorded, between tests. */
export function resetStandIn() {
  app.reset()
  BrowserWindow.instances = []
  Menu.installed = []
  shell.opened = []
  dialog.errors = []
  session.defaultSession.permissionHandler = undefined
  ipcMain.removeAllListeners()
  ipcRenderer.pageUrl = ''
  contextBridge.exposed = {}
}
