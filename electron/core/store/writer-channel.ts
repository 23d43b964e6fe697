/**
 * How the store hands tasks to its writer and hears back. A log on disk gets a writer thread, so
 * SQLite's work leaves the proxy's event loop; an in-memory log, which no other thread can open,
 * runs the same tasks on the calling thread. Either way an answer arrives later, through
 * `onReply`, unless the store waits for it with `settle`.
 */

import fs from 'node:fs'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import {
  answerJob,
  createJobRunner,
  type WriterJob,
  type WriterReply,
  type WriterTask,
} from './sql-writer.js'

export interface WriterChannel {
  /**
   * Hands `task` to the writer; returns the number its answer will carry. Buffers in `transfer`
   * move to a writer thread and are unusable here afterwards.
   */
  post(task: WriterTask, generation: number, transfer?: ArrayBuffer[]): number
  /** Delivers answers until the one numbered `seq` is delivered; false if `timeoutMs` passed. */
  settle(seq: number, timeoutMs: number): boolean
  /** Lets the writer close its connection, waiting up to `timeoutMs`, then stops it. */
  close(timeoutMs: number): void
}

export interface WriterThreadOptions {
  file: string
  nativeBinding?: string
  /** Run on the thread's connection when it opens the file. */
  pragmas: string[]
  onReply(reply: WriterReply): void
}

// In the sources the worker sits beside this module; the build puts it beside the entry points,
// one level above the chunk this module ends up in. A variable keeps bundlers from rewriting it.
const WORKER_FILE = 'writer-worker.js'
const WORKER_PLACES = ['./', '../']

/** Where the writer thread's script is, or undefined when this build does not have it. */
export function locateWriterWorker(): URL | undefined {
  for (const place of WORKER_PLACES) {
    const url = new URL(place + WORKER_FILE, import.meta.url)
    if (url.protocol === 'file:' && fs.existsSync(fileURLToPath(url))) return url
  }
  return undefined
}

/** Starts a writer thread for the log at `options.file`. */
export function startWriterThread(script: URL, options: WriterThreadOptions): WriterChannel {
  // [0] holds the number of the last job the thread answered, so `settle` can sleep until then.
  const signal = new Int32Array(new SharedArrayBuffer(4))
  const { port1: replies, port2 } = new MessageChannel()
  const worker = new Worker(script, {
    workerData: {
      file: options.file,
      nativeBinding: options.nativeBinding,
      pragmas: options.pragmas,
      port: port2,
      signal,
    },
    transferList: [port2],
  })
  let seq = 0
  let answered = 0
  let lost: string | undefined
  let closing = false

  const deliver = (reply: WriterReply) => {
    answered = Math.max(answered, reply.seq)
    options.onReply(reply)
  }

  // A thread that died answers nothing more; every job still open fails with the reason.
  const answerLostJobs = () => {
    while (answered < seq) deliver({ seq: answered + 1, error: { message: `${lost}` } })
  }
  const onLost = (reason: string) => {
    if (closing || lost) return
    lost = `the traffic log's writer thread stopped: ${reason}`
    answerLostJobs()
  }
  worker.on('error', (error) => onLost(error.message))
  worker.on('exit', (code) => onLost(`exit code ${code}`))
  replies.on('message', deliver)
  // Neither keeps the process alive; the store's close() is what waits for the last writes.
  worker.unref()
  replies.unref()

  const settle = (target: number, timeoutMs: number): boolean => {
    const deadline = performance.now() + timeoutMs
    while (answered < target) {
      const received = receiveMessageOnPort(replies)
      if (received) {
        deliver(received.message as WriterReply)
        continue
      }
      if (lost) {
        answerLostJobs()
        continue
      }
      const remaining = deadline - performance.now()
      if (remaining <= 0) return false
      // The thread posts its answer before it stores the number, so once the number has moved
      // the answer is waiting on the port.
      const last = Atomics.load(signal, 0)
      if (last < target) sleepWhile(signal, last, remaining)
    }
    return true
  }

  const post = (task: WriterTask, generation: number, transfer: ArrayBuffer[] = []) => {
    seq++
    const job: WriterJob = { ...task, seq, generation }
    if (lost) setImmediate(answerLostJobs)
    else worker.postMessage(job, transfer)
    return seq
  }

  return {
    post,
    settle,
    close(timeoutMs) {
      if (!lost) settle(post({ type: 'close' }, -1), timeoutMs)
      closing = true
      replies.close()
      void worker.terminate()
    },
  }
}

let canWait = true

// Some embedders forbid Atomics.wait on their main thread; spinning is the fallback there, and
// the waits are short: one batch's commit.
function sleepWhile(signal: Int32Array, value: number, timeoutMs: number): void {
  if (canWait) {
    try {
      Atomics.wait(signal, 0, value, timeoutMs)
      return
    } catch {
      canWait = false
    }
  }
  const deadline = performance.now() + timeoutMs
  while (Atomics.load(signal, 0) === value && performance.now() < deadline) {}
}

/** Runs the writer's tasks on the calling thread, against the store's own connection. */
export function createInlineWriter(
  currentDb: () => Database.Database,
  onReply: (reply: WriterReply) => void,
): WriterChannel {
  let runner: { db: Database.Database; run: ReturnType<typeof createJobRunner> } | undefined
  const run = (task: WriterTask) => {
    const db = currentDb()
    if (runner?.db !== db) runner = { db, run: createJobRunner(db) }
    return runner.run(task)
  }
  const waiting: WriterReply[] = []
  let seq = 0
  let immediate: NodeJS.Immediate | undefined

  // Answers go out one at a time, since handling one may post the next.
  const deliverUpTo = (target: number) => {
    while (waiting.length > 0 && waiting[0]!.seq <= target) onReply(waiting.shift()!)
  }

  return {
    post(task, generation) {
      seq++
      waiting.push(answerJob({ ...task, seq, generation }, run))
      immediate ??= setImmediate(() => {
        immediate = undefined
        deliverUpTo(Infinity)
      }).unref()
      return seq
    },
    settle(target) {
      deliverUpTo(target)
      return true
    },
    close() {
      if (immediate) clearImmediate(immediate)
      immediate = undefined
      waiting.length = 0
    },
  }
}
