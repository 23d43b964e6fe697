/**
 * How the bench's processes talk: every child prints one JSON object per stdout line and takes
 * orders over the IPC channel. Children end themselves when the parent goes away or a deadline
 * passes, so a crashed run leaves no server listening.
 */

import { fork } from 'node:child_process'
import { createInterface } from 'node:readline'

/** Starts `file` as a child and returns a handle to read its JSON lines and stop it. */
export function startChild(file, args = [], { execArgv = [] } = {}) {
  const child = fork(file, args, { execArgv, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
  const waiting = []
  const queued = []
  let exitCode

  const exited = new Promise((resolve) => {
    // 'close' comes after the child's stdout has ended, so every line it printed is read first.
    child.on('close', (code, signal) => {
      exitCode = code ?? signal
      for (const { reject } of waiting.splice(0)) {
        reject(new Error(`${file} exited (${exitCode}) before printing a result`))
      }
      resolve(exitCode)
    })
  })

  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return
    const message = JSON.parse(line)
    const reader = waiting.shift()
    if (reader) reader.resolve(message)
    else queued.push(message)
  })

  return {
    /** The next JSON line the child prints. */
    nextMessage() {
      if (queued.length > 0) return Promise.resolve(queued.shift())
      if (exitCode !== undefined) {
        return Promise.reject(new Error(`${file} exited (${exitCode}) before printing a result`))
      }
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
    },
    send: (message) => child.send(message),
    /** Asks the child to wind down and waits until it has exited. */
    async stop() {
      // The child may be disconnecting on its own already; a failed send then changes nothing.
      if (exitCode === undefined && child.connected) child.send('stop', () => {})
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
    },
    exited,
  }
}

/** Runs a bench script to its first result line, returns that line's object, then stops it. */
export async function runChild(file, args = [], options = {}) {
  const child = startChild(file, args.map(String), options)
  try {
    return await child.nextMessage()
  } finally {
    await child.stop()
  }
}

/** For children: prints one result line for the parent. */
export function printMessage(message) {
  process.stdout.write(JSON.stringify(message) + '\n')
}

/**
 * For children: runs `onStop` once, then exits, when the parent says 'stop' or goes away; exits
 * outright once `deadlineMs` has passed, whatever state the child is in.
 */
export function endWithParent(onStop = async () => {}, deadlineMs = 5 * 60_000) {
  setTimeout(() => {
    process.stderr.write(`bench child ${process.argv[1]} passed its deadline; exiting\n`)
    process.exit(2)
  }, deadlineMs).unref()

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    let code = 0
    try {
      await onStop()
    } catch (error) {
      process.stderr.write(`bench child ${process.argv[1]} failed to stop: ${error.stack}\n`)
      code = 1
    }
    // Flush the last result line before the process goes.
    process.stdout.write('', () => process.exit(code))
  }
  process.on('message', (message) => message === 'stop' && stop())
  process.on('disconnect', stop)
}
