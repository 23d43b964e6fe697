#!/usr/bin/env node
// Prepares the desktop app after `npm install`: Electron's binary, and better-sqlite3 built for
// Electron's ABI in native/electron (tests and the headless command keep the Node build in
// node_modules). It never fails the install and never waits long: when it cannot finish, it
// prints one line saying that `npm start` will run Tollgate headless instead.

import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const requireFromRoot = createRequire(path.join(root, 'package.json'))

/** Where the Electron build of better-sqlite3 goes; electron/main/native-module.ts reads it. */
export const NATIVE_COPY = path.join(root, 'native', 'electron', 'better_sqlite3.node')

const HEADLESS = 'npm start will run Tollgate headless, with the UI in your browser'
const PROBE_TIMEOUT_MS = 3_000
const DOWNLOAD_TIMEOUT_MS = 180_000
const PREBUILT_TIMEOUT_MS = 60_000
const COMPILE_TIMEOUT_MS = 600_000

/**
 * The NODE_MODULE_VERSION a native module was compiled for, read from the name of its
 * registration symbol. Exit codes of build tools are not trusted: this is what decides.
 */
export function readModuleAbi(file) {
  if (!existsSync(file)) return undefined
  const match = /node_register_module_v(\d+)/.exec(readFileSync(file).toString('latin1'))
  return match ? Number(match[1]) : undefined
}

/**
 * What to do, from what is on disk and in the environment: `done` with the line to print, or
 * the steps still needed (`binary`, `native`), which all need the network.
 */
export function planPreparation({ electronVersion, binaryPresent, nativeAbi, electronAbi, env }) {
  if (!electronVersion) {
    return { done: `Electron is not installed (dev dependencies left out?); ${HEADLESS}.` }
  }
  const nativeReady = nativeAbi !== undefined && nativeAbi === electronAbi
  if (binaryPresent && nativeReady) {
    return {
      done: `Desktop app ready: Electron ${electronVersion}, better-sqlite3 for ABI ${electronAbi}.`,
    }
  }
  if (!binaryPresent && env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return {
      done: `Electron's binary is not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD is set); ${HEADLESS}.`,
    }
  }
  return { steps: { binary: !binaryPresent, native: !nativeReady } }
}

function findElectronBinary() {
  try {
    const binary = requireFromRoot('electron')
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined
  } catch {
    return undefined
  }
}

function readElectron() {
  try {
    const packageFile = requireFromRoot.resolve('electron/package.json')
    const version = JSON.parse(readFileSync(packageFile, 'utf8')).version
    return { version, dir: path.dirname(packageFile), abi: electronAbiFor(version, packageFile) }
  } catch {
    return undefined
  }
}

/** node-abi's table when it is installed, else the abi_version file Electron's package ships. */
function electronAbiFor(version, packageFile) {
  try {
    return Number(requireFromRoot('node-abi').getAbi(version, 'electron'))
  } catch {
    return Number(readFileSync(path.join(path.dirname(packageFile), 'abi_version'), 'utf8').trim())
  }
}

/** A TCP connection to the download host within a few seconds, so no step hangs offline. */
function canReach(host, port = 443) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: PROBE_TIMEOUT_MS })
    const finish = (reachable) => {
      socket.destroy()
      resolve(reachable)
    }
    socket.once('connect', () => finish(true))
    socket.once('timeout', () => finish(false))
    socket.once('error', () => finish(false))
  })
}

/** Runs a Node script; its exit code is not looked at, what it leaves on disk is checked. */
function run(args, options) {
  spawnSync(process.execPath, args, { stdio: 'ignore', ...options })
}

/** Fetches better-sqlite3's prebuilt Electron binary, or compiles one, in a scratch folder. */
function buildNativeCopy(electron) {
  const source = path.dirname(requireFromRoot.resolve('better-sqlite3/package.json'))
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tollgate-electron-'))
  const built = path.join(scratch, 'build', 'Release', 'better_sqlite3.node')
  try {
    // A copy, so the Node build in node_modules that tests and the CLI load stays untouched.
    cpSync(source, scratch, {
      recursive: true,
      filter: (file) => !file.startsWith(path.join(source, 'build')),
    })
    const target = ['--runtime=electron', `--target=${electron.version}`, `--arch=${process.arch}`]

    const prebuild = requireFromRoot.resolve('prebuild-install/bin.js')
    run([prebuild, ...target], { cwd: scratch, timeout: PREBUILT_TIMEOUT_MS })
    if (readModuleAbi(built) !== electron.abi && process.env.npm_config_node_gyp) {
      rmSync(path.join(scratch, 'build'), { recursive: true, force: true })
      const headers = ['--dist-url=https://electronjs.org/headers', '--release']
      run([process.env.npm_config_node_gyp, 'rebuild', ...target.slice(1), ...headers], {
        cwd: scratch,
        timeout: COMPILE_TIMEOUT_MS,
      })
    }

    const abi = readModuleAbi(built)
    if (abi !== electron.abi) return abi
    mkdirSync(path.dirname(NATIVE_COPY), { recursive: true })
    copyFileSync(built, NATIVE_COPY)
    return abi
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function prepare(env) {
  const electron = readElectron()
  const plan = planPreparation({
    electronVersion: electron?.version,
    binaryPresent: findElectronBinary() !== undefined,
    nativeAbi: readModuleAbi(NATIVE_COPY),
    electronAbi: electron?.abi,
    env,
  })
  if (plan.done) return plan.done

  // Behind a proxy the download tools go through it; a direct probe would say nothing.
  const proxied = env.HTTPS_PROXY || env.https_proxy || env.npm_config_https_proxy
  if (!proxied && !(await canReach('github.com'))) {
    return `No network to fetch Electron's binary and native build (github.com did not answer); ${HEADLESS}.`
  }

  if (plan.steps.binary) {
    run([path.join(electron.dir, 'install.js')], {
      cwd: electron.dir,
      timeout: DOWNLOAD_TIMEOUT_MS,
    })
    if (!findElectronBinary()) return `Electron's binary could not be downloaded; ${HEADLESS}.`
  }
  if (plan.steps.native) {
    const abi = buildNativeCopy(electron)
    if (abi !== electron.abi) {
      const got = abi === undefined ? 'no binary' : `a build for ABI ${abi}`
      return `better-sqlite3 for Electron's ABI ${electron.abi} could not be fetched or built (got ${got}); ${HEADLESS}.`
    }
  }
  return `Desktop app ready: Electron ${electron.version}, better-sqlite3 for ABI ${electron.abi}.`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  prepare(process.env).then(
    (line) => console.log(`tollgate: ${line}`),
    (error) =>
      console.log(`tollgate: could not prepare the desktop app (${error.message}); ${HEADLESS}.`),
  )
}
