#!/usr/bin/env node
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decideStartMode, describeHeadless } from './decide-start'
import { runHeadless } from './headless'
import { probeStartFacts } from './probe'

// Built to out/main/start.js; the project's root is two folders up, as it is from this source.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** `npm start`: the desktop app when this machine can run it, the headless gateway otherwise. */
async function start(argv: string[]): Promise<number> {
  const decision = decideStartMode(probeStartFacts(root))
  if (decision.mode === 'desktop') return runElectron(decision.electronBinary, argv)

  process.stdout.write(`${describeHeadless(decision.reason)}\n`)
  return runHeadless(argv, root)
}

/** Runs the desktop app and mirrors its exit; Ctrl-C reaches it so it can close the log. */
function runElectron(binary: string, argv: string[]): Promise<number> {
  const child = spawn(binary, [root, ...argv], { stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)

  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`tollgate: could not run Electron (${binary}): ${error.message}\n`)
      resolve(1)
    })
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

start(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`tollgate: unexpected failure: ${(error as Error).stack ?? error}\n`)
    process.exitCode = 1
  },
)
