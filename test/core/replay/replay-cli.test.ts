import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startServer, tempDir } from '../../support/servers'
import { makeEntry, makeHar } from '../har/har-fixtures'

const root = path.resolve(__dirname, '../../..')
const cli = path.join(root, 'out/main/cli.js')
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(() => {
  if (!fs.existsSync(cli))
    throw new Error(`${cli} is missing: run npm run build (npm test does it).`)
})

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** Runs the built CLI to its end; resolves with its exit code and output. */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

/** A HAR file of four GETs on one key to a production host, 100 ms apart. */
function writeHar(): string {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const entries = Array.from({ length: 4 }, (_, index) =>
    makeEntry({
      startedDateTime: new Date(Date.UTC(2026, 0, 1, 10, 0, 0, index * 100)).toISOString(),
      request: {
        ...(makeEntry().request as object),
        url: `https://api.example.com/items/${index}?page=${index}`,
      },
    }),
  )
  const file = path.join(temp.dir, 'checkout.har')
  fs.writeFileSync(file, JSON.stringify(makeHar(entries)))
  return file
}

describe('tollgate replay', () => {
  it('replays a HAR file through a gateway to the given upstream and prints the summary', async () => {
    const paths: string[] = []
    const upstream = await startServer((req, res) => {
      paths.push(req.url ?? '')
      res.end('{}')
    })
    cleanups.push(() => upstream.close())
    const har = writeHar()

    const run = await runCli([
      'replay',
      har,
      '--upstream',
      upstream.url,
      '--limit',
      '3',
      '--speed',
      '4',
    ])

    expect(run.code).toBe(0)
    expect(paths).toEqual(['/items/0?page=0', '/items/1?page=1', '/items/2?page=2'])
    expect(run.stderr).toContain('imported 4 entries')
    expect(run.stdout).toMatch(/key\s+requests\s+2xx\s+429\s+other\s+failed\s+changed/)
    expect(run.stdout).toMatch(/sk_live_…cdef\s+4\s+3\s+1\s+0\s+0\s+1/)
    expect(run.stdout).toContain('200 -> 429 ×1')
  })

  it('exits with 1 and names the failures when the upstream is down', async () => {
    const down = await startServer(() => {})
    await down.close()
    const har = writeHar()

    const run = await runCli(['replay', har, '--upstream', down.url, '--fastest'])

    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/total\s+4\s+0\s+0\s+0\s+4/)
    expect(run.stderr).toContain('4 requests failed')
    expect(run.stderr).toContain('UPSTREAM_UNREACHABLE')
  })

  it('says a missing .har file is missing, and creates no log for it', async () => {
    const temp = tempDir()
    cleanups.push(temp.remove)

    const run = await runCli(['replay', path.join(temp.dir, 'missing.har')], {
      XDG_DATA_HOME: temp.dir,
    })

    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`there is no HAR file at ${path.join(temp.dir, 'missing.har')}`)
    expect(fs.readdirSync(temp.dir)).toEqual([])
  })

  it('refuses two pacings at once with a usage error', async () => {
    const run = await runCli(['replay', 'some.har', '--fastest', '--rate', '5'])

    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--rate and --fastest cannot be combined')
  })
})
