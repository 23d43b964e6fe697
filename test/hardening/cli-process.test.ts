import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { send, startServer, tempDir, type TestServer } from '../support/servers'

const root = path.resolve(__dirname, '../..')
const cli = path.join(root, 'out/main/cli.js')
const running: ChildProcess[] = []
const cleanups: (() => Promise<void> | void)[] = []

/** The store writes every 50 ms or every 500 rows, whichever comes first. */
const MAX_BATCH = 500
/** Connections the burst keeps busy at once. */
const CONCURRENCY = 32

let upstream: TestServer
let temp: ReturnType<typeof tempDir>

beforeAll(async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npx electron-vite build first.`)
  upstream = await startServer((req, res) => {
    req.resume()
    req.on('end', () => res.end('{"ok":true}'))
  })
  return () => upstream.close()
})

afterEach(async () => {
  running.splice(0).forEach((child) => child.kill('SIGKILL'))
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** Runs the built CLI with its data folder in the test's temp dir, never the user's. */
function spawnCli(args: string[]) {
  temp ??= tempDir()
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, XDG_DATA_HOME: path.join(temp.dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Starts the CLI and resolves once it has printed the proxy URL. */
async function startCli(args: string[]) {
  const started = spawnCli(args)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL:\n${started.output()}`)), 15_000)
    started.child.stdout!.on('data', () => {
      const match = /proxy\s+(http:\/\/\S+)/.exec(started.output())
      if (!match) return
      clearTimeout(timer)
      resolve(match[1]!)
    })
    started.exited.then((code) => reject(new Error(`exited with ${code}:\n${started.output()}`)))
  })
  return { ...started, url }
}

function freshDb(): string {
  const dir = tempDir()
  cleanups.push(dir.remove)
  return path.join(dir.dir, 'traffic.db')
}

function readLog(db: string) {
  const connection = new Database(db)
  const urls = connection.prepare('SELECT url FROM exchanges').pluck().all() as string[]
  const highestId = connection.prepare('SELECT max(id) FROM exchanges').pluck().get() as number
  const integrity = connection.pragma('integrity_check', { simple: true }) as string
  const ids = new Map(
    (connection.prepare('SELECT url, id FROM exchanges').raw().all() as [string, number][]).map(
      ([url, id]) => [url, id],
    ),
  )
  connection.close()
  return { urls, highestId, integrity, idOf: (url: string) => ids.get(url) }
}

describe('the CLI killed with SIGKILL in the middle of a burst', () => {
  it('loses at most the last unwritten batch and opens the same log again without repair', async () => {
    const db = freshDb()
    const args = ['--port', '0', '--db', db, '--upstream', upstream.url, '--limit', '1000000']
    const first = await startCli(args)
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
    const answered: string[] = []
    let next = 0
    let killed = false

    // Each worker sends one request at a time, so at most CONCURRENCY are in flight.
    const worker = async () => {
      while (!killed) {
        const pathname = `/burst/${next++}`
        try {
          const response = await send(first.url, { path: pathname, agent })
          if (response.status === 200) answered.push(pathname)
        } catch {
          return
        }
        if (answered.length >= 3_000 && !killed) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    agent.destroy()
    await first.exited
    const sent = next

    const second = await startCli(args)
    const after = await send(second.url, { path: '/after-restart' })
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
    const log = readLog(db)

    // Rows still queued when the process died: up to one full batch, plus the responses that
    // completed while that batch was being handed to SQLite and those the client had received
    // before the server recorded them (one per connection each).
    const bound = MAX_BATCH + 2 * CONCURRENCY
    const logged = new Set(log.urls)
    const lost = answered.filter((pathname) => !logged.has(pathname))
    const recent = new Set(answered.slice(-bound))
    console.info(
      `kill -9: ${sent} sent, ${answered.length} answered, ${log.urls.length - 1} logged, ${lost.length} answered but lost (bound ${bound})`,
    )
    expect(lost.length).toBeLessThanOrEqual(bound)
    expect(lost.filter((pathname) => !recent.has(pathname))).toEqual([])
    expect(log.urls.length - 1).toBeLessThanOrEqual(sent)
    expect(after.status).toBe(200)
    expect(log.integrity).toBe('ok')
    expect(second.output()).not.toMatch(/damaged|moved it/)
    expect(log.idOf('/after-restart')).toBe(log.highestId)
  })
})

describe('the CLI and its traffic log', () => {
  // Without an upstream the sample API starts too, and must not keep a refused process alive.
  it.each([
    ['an upstream', true],
    ['the built-in sample API', false],
  ])(
    'refuses a second instance on a log in use (with %s), naming the file, and leaves the first running',
    async (_, withUpstream) => {
      const db = freshDb()
      const args = ['--port', '0', '--no-demo', '--db', db]
      if (withUpstream) args.push('--upstream', upstream.url)
      const first = await startCli(args)

      const second = spawnCli(args)
      const code = await second.exited
      const response = await send(first.url, { path: '/products' })

      expect(code).toBe(1)
      expect(second.output()).toContain(db)
      expect(second.output()).toContain('in use by another running Tollgate')
      expect(response.status).toBe(200)
    },
  )

  it('moves a garbage log aside, prints both paths, and starts', async () => {
    const db = freshDb()
    const garbage = Buffer.from('not a database at all '.repeat(1_000))
    fs.writeFileSync(db, garbage)

    const started = await startCli(['--port', '0', '--db', db, '--upstream', upstream.url])
    const response = await send(started.url, { path: '/fresh' })

    const aside = fs.readdirSync(path.dirname(db)).find((name) => name.includes('.damaged-'))
    expect(aside).toBeDefined()
    const asidePath = path.join(path.dirname(db), aside!)
    expect(fs.readFileSync(asidePath)).toEqual(garbage)
    expect(started.output()).toContain(`${db} is damaged`)
    expect(started.output()).toContain(asidePath)
    expect(response.status).toBe(200)
  })
})

describe('the CLI stopping', () => {
  it('exits on SIGINT while a WebSocket is open through it, and keeps the handshake row', async () => {
    const wsUpstream = await startServer((_req, res) => res.end())
    const sockets = new WebSocketServer({ server: wsUpstream.server })
    cleanups.push(wsUpstream.close, () => new Promise((resolve) => sockets.close(() => resolve())))
    const db = freshDb()
    const started = await startCli(['--port', '0', '--db', db, '--upstream', wsUpstream.url])
    const client = new WebSocket(`${started.url.replace('http', 'ws')}/live`)
    await new Promise((resolve, reject) => client.on('open', resolve).on('error', reject))
    client.on('error', () => {})

    started.child.kill('SIGINT')
    const code = await Promise.race([
      started.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ])

    expect(code).toBe(0)
    const log = new Database(db, { readonly: true })
    const rows = log.prepare('SELECT kind, status, url FROM exchanges').all()
    log.close()
    expect(rows).toEqual([{ kind: 'websocket', status: 101, url: '/live' }])
  })
})

describe('a config file with every field wrong', () => {
  it('is refused with one message that lists each field, and nothing starts', async () => {
    const dir = tempDir()
    cleanups.push(dir.remove)
    const file = path.join(dir.dir, 'tollgate.json')
    fs.writeFileSync(
      file,
      JSON.stringify({
        listen: { host: '', port: 70_000 },
        upstream: 'ftp://127.0.0.1:21',
        keys: { headers: [] },
        rateLimit: { limit: -1, windowMs: 0, perKey: [], enforce: 'yes', draftHeaders: 1 },
        cors: {
          allowedOrigins: '*',
          allowCredentials: 'true',
          allowedMethods: ['GE T'],
          allowedHeaders: ['bad header'],
          exposeHeaders: [''],
          maxAge: -5,
        },
        capture: { maxBodyBytes: '1mb' },
        retention: { maxRows: 1.5, maxAgeMs: null },
        db: 7,
        colour: 'blue',
      }),
    )

    const { exited, output } = spawnCli(['--config', file])
    const code = await exited

    expect(code).toBe(1)
    const fields = [
      'listen.host',
      'listen.port',
      'upstream',
      'keys.headers',
      'rateLimit.limit',
      'rateLimit.windowMs',
      'rateLimit.perKey',
      'rateLimit.enforce',
      'rateLimit.draftHeaders',
      'cors.allowedOrigins',
      'cors.allowCredentials',
      'cors.allowedMethods[0]',
      'cors.allowedHeaders[0]',
      'cors.exposeHeaders[0]',
      'cors.maxAge',
      'capture.maxBodyBytes',
      'retention.maxRows',
      'retention.maxAgeMs',
      'db',
      'colour',
    ]
    const listed = output()
      .split('\n')
      .filter((line) => line.startsWith('  - '))
      .map((line) => line.slice(4).split(':', 1)[0])
    expect(listed).toEqual(fields)
    expect(output().match(/The config was refused/g)).toHaveLength(1)
    expect(output()).not.toContain('Tollgate is running')
  })

  it('reports an empty db path as a bad field instead of using the folder of the config file', async () => {
    const dir = tempDir()
    cleanups.push(dir.remove)
    const file = path.join(dir.dir, 'tollgate.json')
    fs.writeFileSync(file, JSON.stringify({ db: '', listen: { port: 0 } }))

    const { exited, output } = spawnCli(['--config', file, '--upstream', upstream.url])

    expect(await exited).toBe(1)
    expect(output()).toContain('  - db: expected a non-empty string')
  })
})
