import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../../electron/core/logger'
import { createTollgate, type Tollgate, type TollgateOptions } from '../../electron/core/tollgate'
import { startDesktop, type DesktopCore } from '../../electron/main/desktop'
import { CONTROL_CHANNEL } from '../../electron/preload/control-channel'
import { eventually, send, tempDir } from '../support/servers'
import { app, BrowserWindow, dialog, ipcRenderer, Menu, resetStandIn } from './electron-stand-in'

vi.mock('electron', () => import('./electron-stand-in'))

const root = path.resolve(__dirname, '../..')
const cleanups: (() => Promise<void> | void)[] = []

/** Starts the shell on the stand-in with a real core on free ports; resolves once its window is up. */
async function startShell() {
  const temp = tempDir()
  cleanups.push(temp.remove)
  app.userData = path.join(temp.dir, 'user-data')
  let passed: TollgateOptions | undefined
  let core: Tollgate | undefined

  startDesktop({
    appRoot: root,
    logger: silentLogger,
    startCore: async (options) => {
      passed = options
      core = await createTollgate({ ...options, listen: { host: '127.0.0.1', port: 0 } })
      // A test that fails before quitting still stops the servers.
      cleanups.push(() => core!.close())
      return core
    },
  })
  app.becomeReady()
  await eventually(() => BrowserWindow.instances.length === 1)
  return { core: core!, passed: passed!, window: BrowserWindow.instances[0]!, dir: app.userData }
}

const signals = ['SIGINT', 'SIGTERM'] as const
let signalListenersBefore: Set<unknown>[] = []

beforeEach(() => {
  resetStandIn()
  signalListenersBefore = signals.map((signal) => new Set(process.listeners(signal)))
})

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
  // Each shell asks for Ctrl-C; the test process keeps only its own listeners.
  signals.forEach((signal, index) => {
    for (const listener of process.listeners(signal)) {
      if (!signalListenersBefore[index]!.has(listener)) process.off(signal, listener)
    }
  })
})

describe('desktop shell', () => {
  it('starts the core with its files in the user data folder and the control API on', async () => {
    const { passed, dir } = await startShell()

    expect(passed.db).toBe(path.join(dir, 'traffic.db'))
    expect(passed.settingsPath).toBe(path.join(dir, 'settings.json'))
    expect(passed.control).toEqual({
      rendererDir: path.join(root, 'out', 'renderer'),
      allowedOrigins: [],
    })
    // Outside Electron the core loads better-sqlite3's Node build from node_modules.
    expect(passed.nativeBinding).toBeUndefined()
  })

  it('opens one hardened window on the control URL, with the built CommonJS preload', async () => {
    const { core, window } = await startShell()

    expect(window.options.webPreferences).toEqual({
      preload: path.join(root, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
    })
    expect(window.webContents.loaded).toEqual([core.control!.url])
    expect(fs.existsSync(window.options.webPreferences.preload as string)).toBe(true)
  })

  it('hands the UI page a token the control API accepts, and a foreign page nothing', async () => {
    const { core } = await startShell()

    ipcRenderer.pageUrl = `${core.control!.url}/`
    const handoff = ipcRenderer.sendSync(CONTROL_CHANNEL) as { controlUrl: string; token: string }
    const status = await send(handoff.controlUrl, {
      method: 'POST',
      path: '/api/status.get',
      headers: ['Authorization', `Bearer ${handoff.token}`],
    })
    ipcRenderer.pageUrl = 'http://127.0.0.1:1/'
    const foreign = ipcRenderer.sendSync(CONTROL_CHANNEL)

    expect(handoff).toEqual({ controlUrl: core.control!.url, token: core.control!.token })
    expect(status.status).toBe(200)
    expect(JSON.parse(status.body.toString()).proxyUrl).toBe(core.url)
    expect(foreign).toBeNull()
  })

  it('installs the standard menus', async () => {
    await startShell()

    const roles = Menu.installed[0]!.template.map((item) => item.role)
    expect(roles).toEqual(expect.arrayContaining(['editMenu', 'viewMenu', 'windowMenu']))
  })

  it('closes the core on quit, with every logged request in the database', async () => {
    const { core, passed } = await startShell()
    const statuses: number[] = []
    for (let i = 0; i < 25; i++) {
      const response = await send(core.url, { path: '/products', headers: ['X-API-Key', 'demo'] })
      statuses.push(response.status)
    }

    // Right after the last response, so rows are still waiting for the next batch write.
    app.quit()
    const code = await app.whenExited()

    expect(statuses.every((status) => status === 200)).toBe(true)
    expect(app.beforeQuitEvents[0]!.defaultPrevented).toBe(true)
    expect(code).toBe(0)
    const db = new Database(passed.db as string, { readonly: true })
    const { count } = db.prepare('SELECT count(*) AS count FROM exchanges').get() as {
      count: number
    }
    db.close()
    expect(count).toBe(25)
    await expect(send(core.url)).rejects.toThrow()
  })

  it('brings the first window forward when a second instance starts', async () => {
    const { window } = await startShell()
    window.minimized = true

    app.emit('second-instance', {}, ['tollgate'], '/')

    expect(window.minimized).toBe(false)
    expect(window.visible).toBe(true)
    expect(window.focused).toBe(1)
  })

  it('reopens the window on a second launch after it was closed', async () => {
    const { core, window } = await startShell()

    window.emit('closed')
    app.emit('second-instance', {}, ['tollgate'], '/')

    expect(BrowserWindow.instances).toHaveLength(2)
    expect(BrowserWindow.instances[1]!.webContents.loaded).toEqual([core.control!.url])
  })

  it('quits at once as the second instance, without starting a core', async () => {
    app.lockGranted = false
    const startCore = vi.fn<(options: TollgateOptions) => Promise<DesktopCore>>()

    startDesktop({ appRoot: root, logger: silentLogger, startCore })
    app.becomeReady()

    expect(await app.whenExited()).toBe(0)
    expect(app.quitCalls).toBe(1)
    expect(startCore).not.toHaveBeenCalled()
    expect(BrowserWindow.instances).toHaveLength(0)
  })

  it('shows the reason and exits 1 when the core cannot start', async () => {
    app.userData = tempDir().dir
    cleanups.push(() => fs.rmSync(app.userData, { recursive: true, force: true }))
    const startCore = () => Promise.reject(new Error('Port 8787 on 127.0.0.1 is taken.'))

    startDesktop({ appRoot: root, logger: silentLogger, startCore })
    app.becomeReady()

    expect(await app.whenExited()).toBe(1)
    expect(dialog.errors).toEqual([
      { title: 'Tollgate could not start', content: 'Port 8787 on 127.0.0.1 is taken.' },
    ])
    expect(BrowserWindow.instances).toHaveLength(0)
  })

  it('closes a core still starting when quit comes first, and opens no window', async () => {
    app.userData = tempDir().dir
    cleanups.push(() => fs.rmSync(app.userData, { recursive: true, force: true }))
    let finishStart!: () => void
    const close = vi.fn(() => Promise.resolve())
    const startCore = () =>
      new Promise<DesktopCore>((resolve) => {
        finishStart = () => resolve({ control: { url: 'http://127.0.0.1:1', token: 't' }, close })
      })
    startDesktop({ appRoot: root, logger: silentLogger, startCore })
    app.becomeReady()
    await eventually(() => finishStart !== undefined)

    app.quit()
    finishStart()

    expect(await app.whenExited()).toBe(0)
    expect(close).toHaveBeenCalledOnce()
    expect(BrowserWindow.instances).toHaveLength(0)
  })
})
