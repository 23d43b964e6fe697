import { readFileSync } from 'node:fs'
import path from 'node:path'

/** Where the desktop app keeps better-sqlite3 built for Electron, relative to the app's root. */
export const NATIVE_COPY_PATH = path.join('native', 'electron', 'better_sqlite3.node')

/**
 * The NODE_MODULE_VERSION a native module was compiled for, read from the name of its
 * registration symbol; undefined when the file is missing or carries no such symbol.
 */
export function readModuleAbi(file: string): number | undefined {
  let text: string
  try {
    text = readFileSync(file).toString('latin1')
  } catch {
    return undefined
  }
  const match = /node_register_module_v(\d+)/.exec(text)
  return match ? Number(match[1]) : undefined
}

export type NativeBindingChoice = { nativeBinding?: string } | { problem: string }

/**
 * Which better-sqlite3 binary the core loads. Inside Electron it is the copy built for
 * Electron's ABI; under plain Node (tests, the CLI) nothing is passed and better-sqlite3 loads
 * its own build from node_modules.
 */
export function chooseNativeBinding(
  appRoot: string,
  versions: NodeJS.ProcessVersions = process.versions,
): NativeBindingChoice {
  if (!versions.electron) return {}

  const file = path.join(appRoot, NATIVE_COPY_PATH)
  const fix =
    'Run `node scripts/prepare-electron.mjs` where the network allows, or `npm start`, which ' +
    'runs Tollgate headless with the UI in your browser.'
  const abi = readModuleAbi(file)
  if (abi === undefined) {
    return { problem: `better-sqlite3 has no build for Electron at ${file}. ${fix}` }
  }
  if (String(abi) !== versions.modules) {
    return {
      problem:
        `${file} is built for ABI ${abi}, but Electron ${versions.electron} needs ` +
        `ABI ${versions.modules}. ${fix}`,
    }
  }
  return { nativeBinding: file }
}
