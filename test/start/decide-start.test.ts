import { describe, expect, it } from 'vitest'
import {
  decideStartMode,
  describeHeadless,
  hasDisplay,
  type StartFacts,
} from '../../electron/start/decide-start'
import { chooseBrowserCommand } from '../../electron/start/open-browser'

const ready: StartFacts = {
  electronBinary: '/app/node_modules/electron/dist/electron',
  downloadSkipped: false,
  electronAbi: 145,
  nativeCopyAbi: 145,
  hasDisplay: true,
}

describe('decideStartMode', () => {
  it('starts the desktop app when the binary and the Electron build are both present', () => {
    expect(decideStartMode(ready)).toEqual({
      mode: 'desktop',
      electronBinary: ready.electronBinary,
    })
  })

  it("runs headless when Electron's binary is missing, naming the variable that skipped it", () => {
    const skipped = decideStartMode({ ...ready, electronBinary: undefined, downloadSkipped: true })
    const missing = decideStartMode({ ...ready, electronBinary: undefined })

    expect(skipped).toEqual({
      mode: 'headless',
      reason: "Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set)",
    })
    expect(missing).toEqual({
      mode: 'headless',
      reason: expect.stringContaining('run node scripts/prepare-electron.mjs'),
    })
  })

  it('runs headless when better-sqlite3 has no Electron build', () => {
    expect(decideStartMode({ ...ready, nativeCopyAbi: undefined })).toEqual({
      mode: 'headless',
      reason: expect.stringContaining('better-sqlite3 has no build for Electron'),
    })
  })

  it("runs headless when the Electron build is for another ABI, such as Node's", () => {
    expect(decideStartMode({ ...ready, nativeCopyAbi: 115 })).toEqual({
      mode: 'headless',
      reason: expect.stringContaining('built for ABI 115 but Electron needs 145'),
    })
  })

  it('runs headless when no display can show a window', () => {
    expect(decideStartMode({ ...ready, hasDisplay: false })).toEqual({
      mode: 'headless',
      reason: expect.stringContaining('no display'),
    })
  })

  it('gives the missing binary as the reason when both pieces are missing', () => {
    const decision = decideStartMode({
      ...ready,
      electronBinary: undefined,
      nativeCopyAbi: undefined,
    })

    expect(decision).toEqual({ mode: 'headless', reason: expect.stringContaining('binary') })
  })

  it('says it in one line', () => {
    expect(describeHeadless('a reason')).toBe('Starting headless: a reason.')
  })
})

describe('hasDisplay', () => {
  it('needs DISPLAY or WAYLAND_DISPLAY on Linux only', () => {
    expect(hasDisplay('linux', {})).toBe(false)
    expect(hasDisplay('linux', { DISPLAY: ':0' })).toBe(true)
    expect(hasDisplay('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true)
    expect(hasDisplay('darwin', {})).toBe(true)
    expect(hasDisplay('win32', {})).toBe(true)
  })
})

describe('chooseBrowserCommand', () => {
  const url = 'http://127.0.0.1:5555/#token=a&b'
  const everywhere = () => true

  it('uses open on macOS and xdg-open on Linux with a display', () => {
    expect(chooseBrowserCommand(url, 'darwin', {}, everywhere)).toEqual({
      command: 'open',
      args: [url],
    })
    expect(chooseBrowserCommand(url, 'linux', { DISPLAY: ':0' }, everywhere)).toEqual({
      command: 'xdg-open',
      args: [url],
    })
  })

  it('escapes the characters cmd would act on when using start on Windows', () => {
    expect(chooseBrowserCommand(url, 'win32', {}, everywhere)).toEqual({
      command: 'cmd',
      args: ['/c', 'start', '""', 'http://127.0.0.1:5555/#token=a^&b'],
      verbatim: true,
    })
  })

  it('says why it cannot open one on Linux without a display or xdg-open', () => {
    expect(chooseBrowserCommand(url, 'linux', {}, everywhere)).toEqual({
      unavailable: 'there is no display',
    })
    expect(chooseBrowserCommand(url, 'linux', { DISPLAY: ':0' }, () => false)).toEqual({
      unavailable: 'xdg-open is not installed',
    })
  })
})
