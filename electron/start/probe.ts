import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { NATIVE_COPY_PATH, readModuleAbi } from '../main/native-module'
import { hasDisplay, type StartFacts } from './decide-start'

/** Looks at the project folder and the environment for what decides desktop or headless. */
export function probeStartFacts(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): StartFacts {
  return {
    electronBinary: findElectronBinary(root),
    downloadSkipped: Boolean(env.ELECTRON_SKIP_BINARY_DOWNLOAD),
    electronAbi: readElectronAbi(root),
    nativeCopyAbi: readModuleAbi(path.join(root, NATIVE_COPY_PATH)),
    hasDisplay: hasDisplay(platform, env),
  }
}

/**
 * The Electron executable, asked of the electron package itself (it knows where its download
 * script put the binary) and then checked on disk.
 */
export function findElectronBinary(root: string): string | undefined {
  try {
    const binary: unknown = createRequire(path.join(root, 'package.json'))('electron')
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined
  } catch {
    // The package throws when its binary was never downloaded.
    return undefined
  }
}

/** Electron's NODE_MODULE_VERSION, which its npm package ships in a file of its own. */
export function readElectronAbi(root: string): number | undefined {
  try {
    const packageDir = path.dirname(
      createRequire(path.join(root, 'package.json')).resolve('electron/package.json'),
    )
    const abi = Number(readFileSync(path.join(packageDir, 'abi_version'), 'utf8').trim())
    return Number.isInteger(abi) && abi > 0 ? abi : undefined
  } catch {
    return undefined
  }
}
