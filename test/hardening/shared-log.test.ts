import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../electron/core/logger'
import { openStore } from '../../electron/core/store'
import { createTollgate, type Tollgate } from '../../electron/core/tollgate'
import { TollgateError } from '../../shared/errors'
import { send, startServer, tempDir } from '../support/servers'

const root = path.resolve(__dirname, '../..')
const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function setUp() {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const upstream = await startServer((req, res) => {
    req.resume()
    req.on('end', () => res.end(`{"path":${JSON.stringify(req.url)}}`))
  })
  cleanups.push(upstream.close)
  return { db: path.join(temp.dir, 'traffic.db'), upstream: upstream.url }
}

async function start(db: string, upstream: string): Promise<Tollgate> {
  return createTollgate({
    listen: { host: '127.0.0.1', port: 0 },
    upstream,
    db,
    logger: silentLogger,
    rateLimit: { limit: 1_000_000 },
  })
}

function integrityOf(db: string): string {
  const connection = new Database(db, { readonly: true })
  const result = connection.pragma('integrity_check', { simple: true }) as string
  connection.close()
  return result
}

describe('two Tollgates on one traffic log', () => {
  it('refuses the second with a message saying the log is in use, and the first carries on', async () => {
    const { db, upstream } = await setUp()
    const first = await start(db, upstream)
    cleanups.push(() => first.close())

    const refused = await start(db, upstream).catch((error: unknown) => error)
    for (let index = 0; index < 20; index++) await send(first.url, { path: `/first/${index}` })
    await first.close()
    const second = await start(db, upstream)
    await send(second.url, { path: '/second' })
    second.store.flush()
    const rows = second.store.list({ limit: 100 }).items
    await second.close()

    expect(refused).toBeInstanceOf(TollgateError)
    expect((refused as TollgateError).code).toBe('DB_UNAVAILABLE')
    expect((refused as TollgateError).message).toContain(db)
    expect((refused as TollgateError).message).toContain('in use by another running Tollgate')
    expect(rows).toHaveLength(21)
    expect(new Set(rows.map((row) => row.id)).size).toBe(21)
    expect(rows[0]).toMatchObject({ url: '/second', id: 21 })
    expect(integrityOf(db)).toBe('ok')
  })

  it('refuses a second store on the same file in the same process, and frees the file on close', () => {
    const temp = tempDir()
    cleanups.push(temp.remove)
    const file = path.join(temp.dir, 'traffic.db')
    const first = openStore({ path: file, logger: silentLogger })

    const refused = (() => {
      try {
        openStore({ path: file, logger: silentLogger }).close()
      } catch (error) {
        return error
      }
    })()
    first.close()
    const again = openStore({ path: file, logger: silentLogger })
    again.close()

    expect((refused as TollgateError).code).toBe('DB_UNAVAILABLE')
  })

  it('refuses a second store that reaches the same file through a symlink or a linked folder', () => {
    const temp = tempDir()
    cleanups.push(temp.remove)
    const file = path.join(temp.dir, 'traffic.db')
    fs.symlinkSync(file, path.join(temp.dir, 'link.db'))
    fs.symlinkSync(temp.dir, path.join(temp.dir, 'folder'))
    const first = openStore({ path: file, logger: silentLogger })
    cleanups.push(() => first.close())

    for (const other of [
      path.join(temp.dir, 'link.db'),
      path.join(temp.dir, 'folder', 'traffic.db'),
    ]) {
      expect(() => openStore({ path: other, logger: silentLogger }).close()).toThrow(
        'in use by another running Tollgate',
      )
    }
  })
})

/** The reader: a separate process with its own connection, polling until told to stop. */
const READER = `
const Database = require('better-sqlite3')
const db = new Database(process.argv[1])
const count = db.prepare('SELECT count(*) AS n, max(id) AS top FROM exchanges')
const latest = db.prepare('SELECT * FROM exchanges ORDER BY id DESC LIMIT 20')
let polls = 0
let errors = []
let highest = 0
const timer = setInterval(() => {
  try {
    const row = count.get()
    if (row.n < highest) errors.push('the row count went down from ' + highest + ' to ' + row.n)
    highest = row.n
    latest.all()
    polls++
  } catch (error) {
    errors.push(error.code + ' ' + error.message)
  }
}, 5)
process.stdin.on('data', () => {
  clearInterval(timer)
  db.close()
  process.stdout.write(JSON.stringify({ polls, errors: errors.slice(0, 5), highest }))
  process.exit(0)
})
process.stdout.write('ready\\n')
`

describe('a second process reading the log', () => {
  it('sees rows arrive while 1 000 requests at about 200/s all succeed and all get logged', async () => {
    const { db, upstream } = await setUp()
    const tollgate = await start(db, upstream)
    cleanups.push(() => tollgate.close())
    const reader = spawn(process.execPath, ['-e', READER, db], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    cleanups.push(() => void reader.kill('SIGKILL'))
    let readerOutput = ''
    reader.stdout.on('data', (chunk) => (readerOutput += chunk))
    await new Promise<void>((resolve, reject) => {
      reader.stdout.once('data', () => resolve())
      reader.once('exit', (code) => reject(new Error(`the reader exited with ${code}`)))
    })

    const total = 1_000
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
    const statuses: number[] = []
    const requests: Promise<void>[] = []
    for (let index = 0; index < total; index++) {
      requests.push(
        send(tollgate.url, { path: `/read-while/${index}`, agent }).then(
          (response) => void statuses.push(response.status),
          () => void statuses.push(0),
        ),
      )
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await Promise.all(requests)
    agent.destroy()
    tollgate.store.flush()
    const exited = new Promise((resolve) => reader.once('exit', resolve))
    reader.stdin.write('stop\n')
    await exited
    const report = JSON.parse(readerOutput.slice('ready\n'.length)) as {
      polls: number
      errors: string[]
      highest: number
    }
    const status = tollgate.store.status()
    await tollgate.close()
    const store = openStore({ path: db, logger: silentLogger })
    const logged = store.count()
    store.close()

    expect(statuses.filter((code) => code === 200)).toHaveLength(total)
    expect(report.errors).toEqual([])
    expect(report.polls).toBeGreaterThan(100)
    expect(report.highest).toBeGreaterThan(0)
    expect(status).toMatchObject({ writable: true, dropped: 0, rejected: 0 })
    expect(logged).toBe(total)
    expect(integrityOf(db)).toBe('ok')
  })
})
