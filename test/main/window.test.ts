import { beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../../electron/core/logger'
import { buildMenuTemplate } from '../../electron/main/menu'
import { chooseExternalTarget, denyPermissions } from '../../electron/main/security'
import { createMainWindow } from '../../electron/main/window'
import { BrowserWindow, resetStandIn, session, shell } from './electron-stand-in'

vi.mock('electron', () => import('./electron-stand-in'))

const UI = 'http://127.0.0.1:43210'

/** A window on the UI, as the shell opens it; `now` drives the crash counter's clock. */
function openWindow(clock = () => 0) {
  createMainWindow({ url: UI, preload: '/app/out/preload/index.cjs', logger: silentLogger, clock })
  return BrowserWindow.instances.at(-1)!
}

beforeEach(() => resetStandIn())

describe('main window', () => {
  it('lets the page navigate within the UI origin and refuses every other URL', () => {
    const { webContents } = openWindow()

    expect(webContents.navigate(`${UI}/#/traffic`)).toBe(true)
    expect(webContents.navigate('http://127.0.0.1:43211/')).toBe(false)
    expect(webContents.navigate('https://example.com/')).toBe(false)
    expect(webContents.navigate('file:///etc/passwd')).toBe(false)
    expect(webContents.navigate('not a url')).toBe(false)
  })

  it('denies every new window and sends http(s) links to the system browser', async () => {
    const { webContents } = openWindow()

    const answers = [
      webContents.open('https://developer.mozilla.org/docs/Web/HTTP/CORS'),
      webContents.open('http://localhost:3000/'),
      webContents.open(`${UI}/`),
    ]

    expect(answers.every((answer) => answer.action === 'deny')).toBe(true)
    expect(shell.opened).toEqual([
      'https://developer.mozilla.org/docs/Web/HTTP/CORS',
      'http://localhost:3000/',
      `${UI}/`,
    ])
  })

  it('drops links with other schemes instead of opening them', () => {
    const { webContents } = openWindow()

    const answers = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'vscode://file/etc/hosts',
      'mailto:someone@example.com',
      '',
    ].map((url) => webContents.open(url))

    expect(answers.every((answer) => answer.action === 'deny')).toBe(true)
    expect(shell.opened).toEqual([])
  })

  it('reloads the page when its renderer crashes, but not after a clean exit', () => {
    const { webContents } = openWindow()

    webContents.crash('clean-exit')
    webContents.crash('crashed')
    webContents.crash('oom')

    expect(webContents.reloads).toBe(2)
  })

  it('stops reloading a renderer that dies again and again within a minute', () => {
    let now = 0
    const { webContents } = openWindow(() => now)

    for (let i = 0; i < 5; i++) webContents.crash('crashed')
    const reloadsInTheStorm = webContents.reloads
    now = 61_000
    webContents.crash('crashed')

    expect(reloadsInTheStorm).toBe(3)
    expect(webContents.reloads).toBe(4)
  })

  it('shows itself once the first paint is ready', () => {
    const window = openWindow()

    const before = window.visible
    window.emit('ready-to-show')

    expect(before).toBe(false)
    expect(window.visible).toBe(true)
  })
})

describe('chooseExternalTarget', () => {
  it('keeps http and https URLs and nothing else', () => {
    expect(chooseExternalTarget('https://example.com/a b')).toBe('https://example.com/a%20b')
    expect(chooseExternalTarget('HTTP://Example.com')).toBe('http://example.com/')
    expect(chooseExternalTarget('data:text/html,<b>x</b>')).toBeUndefined()
    expect(chooseExternalTarget('//example.com')).toBeUndefined()
  })
})

describe('permissions', () => {
  it('refuses every permission except writing text to the clipboard', () => {
    denyPermissions(session.defaultSession as never)
    const handler = session.defaultSession.permissionHandler!
    const answers: Record<string, boolean> = {}

    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read']) {
      handler({}, permission, (ok) => (answers[permission] = ok))
    }
    handler({}, 'clipboard-sanitized-write', (ok) => (answers['clipboard-sanitized-write'] = ok))

    expect(answers).toEqual({
      media: false,
      notifications: false,
      geolocation: false,
      'clipboard-read': false,
      'clipboard-sanitized-write': true,
    })
  })
})

describe('menu', () => {
  it('uses the platform roles, with the app menu on macOS only', () => {
    const roles = (platform: NodeJS.Platform) => buildMenuTemplate(platform).map((m) => m.role)

    expect(roles('darwin')).toEqual(['appMenu', 'fileMenu', 'editMenu', 'viewMenu', 'windowMenu'])
    expect(roles('linux')).toEqual(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu'])
    expect(roles('win32')).toEqual(roles('linux'))
  })
})
