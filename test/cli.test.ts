import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../electron/core/store'
import { silentLogger } from '../electron/core/logger'
import { send, startServer, tempDir, type TestServer } from './support/servers'

const root = path.resolve(__dirname, '..')
const cli = path.join(root, 'out/main/cli.js')
const running: ChildProcess[] = []
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(() => {
  if (!fs.existsSync(cli))
    throw new Error(`${cli} is missing: run npm run build (npm test does it).`)
})

afterEach(async () => {
  running.splice(0).forEach((child) => child.kill('SIGKILL'))
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** Starts the built CLI and resolves once it has printed the proxy URL. */
function startCli(
  args: string[],
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no proxy URL printed:\n${output}`)), 10_000)
    child.stdout!.on('data', () => {
      const match = /proxy\s+(http:\/\/\S+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      resolve({ child, url: match[1]!, output: () => output })
    })
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)))
}

describe('tollgate command', () => {
  let upstream: TestServer

  beforeAll(async () => {
    upstream = await startServer((_req, res) => res.end('{"ok":true}'))
    return () => upstream.close()
  })

  it('prints where it listens, forwards, and writes every row before it stops on SIGINT', async () => {
    const temp = tempDir()
    cleanups.push(temp.remove)
    const db = path.join(temp.dir, 'cli.db')
    const { child, url, output } = await startCli([
      '--port',
      '0',
      '--upstream',
      upstream.url,
      '--db',
      db,
    ])

    for (let i = 0; i < 25; i++)
      await send(url, { path: `/items/${i}`, headers: ['X-API-Key', 'cli-key'] })
    const exited = exitCode(child)
    child.kill('SIGINT')

    expect(await exited).toBe(0)
    expect(output()).toContain(upstream.url)
    expect(output()).toContain(db)
    const store = openStore({ path: db, logger: silentLogger })
    expect(store.count()).toBe(25)
    store.close()
  })

  it('starts the sample API when no upstream is given and says so', async () => {
    const { url, output } = await startCli(['--port', '0', '--db', ':memory:'])

    const response = await send(url, { path: '/products' })

    expect(response.status).toBe(200)
    expect(JSON.parse(response.body.toString())).toHaveLength(3)
    expect(output()).toContain('sample API')
  })

  it('serves and prints the demo pages with --demo', async () => {
    const { output } = await startCli(['--port', '0', '--db', ':memory:', '--demo'])

    const pages = /demo\s+(http:\/\/\S+)\s.*\n\s+(http:\/\/\S+)/.exec(output())

    expect(pages).not.toBeNull()
    const [allowed, blocked] = await Promise.all([send(pages![1]!), send(pages![2]!)])
    expect(allowed.body.toString()).toContain('Tollgate demo: an allowed origin')
    expect(blocked.body.toString()).toContain('Tollgate demo: an origin not on the list')
  })

  it('refuses a bad flag with exit code 2 and a message naming the value', async () => {
    const child = spawn(process.execPath, [cli, '--limit', 'many'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))

    expect(await exitCode(child)).toBe(2)
    expect(stderr).toContain('"many"')
  })

  it('refuses a config file with a wrong field and starts nothing', async () => {
    const temp = tempDir()
    cleanups.push(temp.remove)
    const file = path.join(temp.dir, 'tollgate.json')
    fs.writeFileSync(file, JSON.stringify({ rateLimit: { limit: 'sixty' }, listen: { port: 0 } }))
    const child = spawn(process.execPath, [cli, '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))

    expect(await exitCode(child)).toBe(1)
    expect(stderr).toContain('rateLimit.limit')
    expect(stderr).toContain('"sixty"')
  })
})

describe('the library entry', () => {
  it('resolves `tollgate` to the built library and starts a gateway from it', async () => {
    const script = `
      import { createTollgate, silentLogger } from 'tollgate'
      const tollgate = await createTollgate({ listen: { port: 0 }, db: ':memory:', logger: silentLogger })
      const response = await fetch(tollgate.url + '/health')
      console.log(JSON.stringify({ status: response.status, url: tollgate.url }))
      await tollgate.close()
    `
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))

    expect(await exitCode(child), stderr).toBe(0)
    const result = JSON.parse(stdout.trim())
    expect(result.status).toBe(200)
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })
})
