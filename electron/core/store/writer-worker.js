// @ts-check
/**
 * The traffic log's writer thread: its own connection to the log, running the jobs the store
 * posts, one at a time and in order. Each answer goes back over the port in `workerData`, and
 * the job's number is then stored in the shared signal, so the store can wait for it without an
 * event loop turn. The store opens and migrates the file first; this thread only ever opens a
 * file that exists.
 */

import { parentPort, workerData } from 'node:worker_threads'
import { answerJob, createJobRunner, describeError } from './sql-writer.js'

/**
 * @typedef {object} WriterData
 * @property {string} file
 * @property {string} [nativeBinding]
 * @property {string[]} pragmas run on every connection the thread opens
 * @property {import('node:worker_threads').MessagePort} port where answers go
 * @property {Int32Array} signal [0]: the number of the last job answered
 */

const data = /** @type {WriterData} */ (workerData)

// A native module that fails to load fails every job with the reason, never the thread itself.
const loaded = await import('better-sqlite3').then(
  (module) => module.default,
  (error) => /** @type {Error} */ (error),
)

/** @type {import('better-sqlite3').Database | undefined} */
let db
/** @type {ReturnType<typeof createJobRunner> | undefined} */
let runJob
let openedGeneration = -1

function close() {
  db?.close()
  db = undefined
  runJob = undefined
  openedGeneration = -1
}

/** @param {number} generation */
function open(generation) {
  close()
  if (loaded instanceof Error) throw loaded

  try {
    db = new loaded(data.file, {
      nativeBinding: data.nativeBinding,
      fileMustExist: true,
    })
    for (const pragma of data.pragmas) db.pragma(pragma)
  } catch (error) {
    db?.close()
    db = undefined
    const { message, code } = describeError(error)
    throw Object.assign(new Error(`cannot open ${data.file}: ${message}`), { code })
  }
  runJob = createJobRunner(db)
  openedGeneration = generation
}

/** @param {import('./sql-writer').WriterJob} job */
function run(job) {
  if (job.type === 'close') {
    close()
    return undefined
  }
  // The store opened the file again (it was deleted or replaced): follow it.
  if (job.generation !== openedGeneration || !runJob) open(job.generation)
  return runJob?.(job)
}

parentPort?.on('message', (/** @type {import('./sql-writer').WriterJob} */ job) => {
  data.port.postMessage(answerJob(job, () => run(job)))
  Atomics.store(data.signal, 0, job.seq)
  Atomics.notify(data.signal, 0)
})
