import fs from 'node:fs'
import path from 'node:path'
import vm from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import { CONTROL_CHANNEL } from '../../electron/preload/control-channel'

vi.mock('electron', () => import('../main/electron-stand-in'))

type StandIn = typeof import('../main/electron-stand-in')

const UI = 'http://127.0.0.1:43210'
const handoff = { controlUrl: UI, token: 'a-token-for-this-run' }
const builtPreload = path.resolve(__dirname, '../../out/preload/index.cjs')

/**
 * Runs the preload afresh in a page at `pageUrl`, with the shell's main side answering, and
 * returns what it exposed to the page.
 */
async function runPreload(pageUrl: string, answer?: (event: { returnValue: unknown }) => void) {
  // The mocked electron module outlives resetModules; the preload is imported afresh.
  vi.resetModules()
  const standIn = (await import('electron')) as unknown as StandIn
  standIn.resetStandIn()
  const { answerControlRequests } = await import('../../electron/main/security')
  if (answer) standIn.ipcMain.on(CONTROL_CHANNEL, answer)
  else answerControlRequests(handoff, UI)
  standIn.ipcRenderer.pageUrl = pageUrl

  await import('../../electron/preload/index')
  return standIn.contextBridge.exposed
}

describe('preload', () => {
  it('exposes the control URL and token as window.tollgate, and nothing else', async () => {
    const exposed = await runPreload(`${UI}/`)

    expect(exposed).toStrictEqual({ tollgate: handoff })
  })

  it('exposes nothing to a page from another origin', async () => {
    const exposed = await runPreload('https://example.com/')

    expect(exposed).toStrictEqual({})
  })

  it('passes on only the two values even when the answer carries more', async () => {
    const exposed = await runPreload(`${UI}/`, (event) => {
      event.returnValue = { ...handoff, dataDir: '/home/someone', ipc: 'anything' }
    })

    expect(exposed).toStrictEqual({ tollgate: handoff })
  })

  it('is built as CommonJS that runs with nothing but require("electron")', () => {
    if (!fs.existsSync(builtPreload)) {
      throw new Error(`${builtPreload} is missing: run npm run build (npm test does it).`)
    }
    const exposed: Record<string, unknown> = {}
    const electron = {
      ipcRenderer: {
        sendSync: (channel: string) => (channel === CONTROL_CHANNEL ? handoff : null),
      },
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    }
    const requireElectronOnly = (name: string) => {
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`)
      return electron
    }

    // The way a sandboxed renderer runs a preload: the file's text as a function's body.
    const code = fs.readFileSync(builtPreload, 'utf8')
    const preload = vm.runInNewContext(`(function (require) {\n${code}\n})`, {}) as (
      require: (name: string) => unknown,
    ) => void
    preload(requireElectronOnly)

    expect(exposed).toEqual({ tollgate: handoff })
  })
})
