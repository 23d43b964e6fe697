import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  chooseNativeBinding,
  NATIVE_COPY_PATH,
  readModuleAbi,
} from '../../electron/main/native-module'
import { tempDir } from '../support/servers'

// better-sqlite3's own build, compiled for the Node running the tests.
const nodeBuild = path.join(
  path.dirname(createRequire(__filename).resolve('better-sqlite3/package.json')),
  'build/Release/better_sqlite3.node',
)
const electron = { ...process.versions, electron: '41.7.1', modules: '145' }
const temps: { remove(): void }[] = []

/** An app folder whose native/electron holds `file`, or nothing. */
function appWithCopy(file?: string): string {
  const temp = tempDir()
  temps.push(temp)
  if (file) {
    fs.mkdirSync(path.dirname(path.join(temp.dir, NATIVE_COPY_PATH)), { recursive: true })
    fs.copyFileSync(file, path.join(temp.dir, NATIVE_COPY_PATH))
  }
  return temp.dir
}

afterEach(() => temps.splice(0).forEach((temp) => temp.remove()))

describe('native module', () => {
  it('reads the ABI a native module was built for from its registration symbol', () => {
    expect(readModuleAbi(nodeBuild)).toBe(Number(process.versions.modules))
    expect(readModuleAbi(path.join(appWithCopy(), 'missing.node'))).toBeUndefined()
    expect(readModuleAbi(__filename)).toBeUndefined()
  })

  it('passes no binding under plain Node, so better-sqlite3 loads its own build', () => {
    expect(chooseNativeBinding(appWithCopy(nodeBuild))).toEqual({})
  })

  it("passes the Electron copy when it is built for Electron's ABI", () => {
    const root = appWithCopy(nodeBuild)
    const versions = { ...electron, modules: process.versions.modules }

    expect(chooseNativeBinding(root, versions)).toEqual({
      nativeBinding: path.join(root, NATIVE_COPY_PATH),
    })
  })

  it('refuses a copy built for another ABI and says how to fix it', () => {
    const choice = chooseNativeBinding(appWithCopy(nodeBuild), electron)

    expect(choice).toEqual({
      problem: expect.stringContaining(
        `is built for ABI ${process.versions.modules}, but Electron 41.7.1 needs ABI 145`,
      ),
    })
    expect((choice as { problem: string }).problem).toContain('scripts/prepare-electron.mjs')
  })

  it('reports a missing copy', () => {
    const choice = chooseNativeBinding(appWithCopy(), electron)

    expect(choice).toEqual({ problem: expect.stringContaining('has no build for Electron') })
  })
})
