import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { probeStartFacts } from '../../electron/start/probe'
import { send, tempDir } from '../support/servers'

const root = path.resolve(__dirname, '../..')
const entry = path.join(root, 'out/main/start.js')
const facts = probeStartFacts(root)
const cleanups: (() => void)[] = []

beforeAll(() => {
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run npm run build (npm test does it).`)
  }
})

afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((cleanup) => cleanup()),
)

/**
 * Runs `npm start`'s entry without a display until it has said where the UI is; resolves with
 * its stdout, and the cleanup stops it.
 */
function runStart(env: NodeJS.ProcessEnv): Promise<string> {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const { DISPLAY: _display, WAYLAND_DISPLAY: _wayland, ...rest } = process.env
  const child = spawn(
    process.execPath,
    [entry, '--port', '0', '--db', path.join(temp.dir, 'traffic.db')],
    {
      cwd: root,
      env: { ...rest, XDG_DATA_HOME: temp.dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  cleanups.push(() => child.kill('SIGKILL'))

  let stdout = ''
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not finish starting:\n${output}`)), 10_000)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
      output += chunk
      if (!stdout.includes('Ctrl-C stops.')) return
      clearTimeout(timer)
      resolve(stdout)
    })
    child.on('exit', (code) => reject(new Error(`exited with ${code} first:\n${output}`)))
  })
}

describe('npm start on this machine', () => {
  // Elsewhere it would open a real browser, or the desktop app where Electron is installed.
  it.skipIf(facts.electronBinary !== undefined || process.platform !== 'linux')(
    'starts headless, says why in its first line, and serves the UI with its token',
    async () => {
      const output = await runStart({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })

      expect(output.split('\n')[0]).toBe(
        "Starting headless: Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set).",
      )
      expect(output).toContain('there is no display, so none was opened')
      const uiUrl = /\bui\s+(http:\/\/\S+)/i.exec(output)![1]!
      const page = await send(uiUrl.split('#')[0]!)
      expect(page.status).toBe(200)
      expect(new URL(uiUrl).hash).toMatch(/^#token=[\w-]{20,}$/)
    },
  )
})
