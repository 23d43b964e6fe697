import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { findElectronBinary } from '../../electron/start/probe'
import { planPreparation, readModuleAbi } from '../../scripts/prepare-electron.mjs'

const root = path.resolve(__dirname, '../..')
const script = path.join(root, 'scripts/prepare-electron.mjs')
const nodeBuild = path.join(
  path.dirname(createRequire(__filename).resolve('better-sqlite3/package.json')),
  'build/Release/better_sqlite3.node',
)
const installed = { electronVersion: '41.7.1', electronAbi: 145, env: {} }

describe('prepare-electron', () => {
  it('has nothing to do when the binary and the Electron build are both in place', () => {
    const plan = planPreparation({ ...installed, binaryPresent: true, nativeAbi: 145 })

    expect(plan.done).toMatch(/^Desktop app ready: Electron 41\.7\.1/)
  })

  it('fetches nothing when ELECTRON_SKIP_BINARY_DOWNLOAD is set and the binary is missing', () => {
    const plan = planPreparation({
      ...installed,
      binaryPresent: false,
      env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    })

    expect(plan.steps).toBeUndefined()
    expect(plan.done).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set')
    expect(plan.done).toContain('npm start will run Tollgate headless')
  })

  it('plans the binary and the native build when both are missing', () => {
    const plan = planPreparation({ ...installed, binaryPresent: false })

    expect(plan.steps).toEqual({ binary: true, native: true })
  })

  it('rebuilds a native copy that was built for Node instead of Electron', () => {
    const nodeAbi = readModuleAbi(nodeBuild)

    const plan = planPreparation({ ...installed, binaryPresent: true, nativeAbi: nodeAbi })

    expect(nodeAbi).toBe(Number(process.versions.modules))
    expect(plan.steps).toEqual({ binary: false, native: true })
  })

  it('says headless when Electron is not installed at all', () => {
    const plan = planPreparation({ binaryPresent: false, env: {} })

    expect(plan.done).toContain('Electron is not installed')
  })

  // With the binary present it would go on to fetch better-sqlite3's Electron build.
  it.skipIf(findElectronBinary(root) !== undefined)(
    'exits 0 at once with one line when the download is switched off',
    () => {
      const started = Date.now()
      const result = spawnSync(process.execPath, [script], {
        cwd: root,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
        encoding: 'utf8',
        timeout: 10_000,
      })

      expect(result.status).toBe(0)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(result.stdout.trimEnd().split('\n')).toEqual([
        "tollgate: Electron's binary is not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set); npm start will run Tollgate headless, with the UI in your browser.",
      ])
    },
  )
})
