import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../shared/config'
import { resolveConfig } from '../../shared/config-validate'
import { TollgateError } from '../../shared/errors'
import { importHar } from '../../electron/core/har'
import { openStore } from '../../electron/core/store'
import { callRaw, startControlled, type ControlledTollgate } from '../core/control/helpers'
import { makeRecordingLogger, makeTempDir } from '../core/store/helpers'
import { send, startServer, startTollgate, type TestServer } from '../support/servers'
import {
  createRandom,
  mutateRequest,
  randomJsonText,
  REQUEST_TEMPLATES,
  type Random,
} from './fuzz-inputs'

// Set TOLLGATE_FUZZ_SEED to replay a run; the seed in use is printed with the counts.
const SEED = Number(process.env.TOLLGATE_FUZZ_SEED ?? 0x7011_6a7e)
/** Time each part may spend generating inputs; about 20 s in all. */
const BUDGET_MS = { http: 9_000, config: 2_500, control: 4_000, har: 4_000 }

const unexpected: unknown[] = []
const onUnexpected = (error: unknown) => void unexpected.push(error)

beforeAll(() => {
  process.on('uncaughtException', onUnexpected)
  process.on('unhandledRejection', onUnexpected)
})

afterAll(() => {
  process.off('uncaughtException', onUnexpected)
  process.off('unhandledRejection', onUnexpected)
  expect(unexpected).toEqual([])
})

/** Runs `attempt` with inputs from `random` until the budget is spent; returns how many ran. */
async function runFor(
  budgetMs: number,
  parallel: number,
  attempt: (random: Random, index: number) => Promise<void> | void,
  random: Random,
): Promise<number> {
  const deadline = Date.now() + budgetMs
  let index = 0
  const lane = async () => {
    while (Date.now() < deadline) await attempt(random, index++)
  }
  await Promise.all(Array.from({ length: parallel }, lane))
  return index
}

function report(part: string, count: number) {
  console.info(`fuzz ${part}: ${count} inputs (seed ${SEED})`)
}

/** Writes `bytes`, half-closes, and returns what came back before the close or the time limit. */
function exchangeRaw(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = net.connect(port, '127.0.0.1', () => socket.end(bytes))
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(Buffer.concat(chunks).toString('latin1'))
    }
    const timer = setTimeout(done, 1_000)
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', done)
    socket.on('close', done)
  })
}

describe('fuzzing', () => {
  it('survives mutated raw requests and still answers a normal one', async () => {
    const forwardedTargets: string[] = []
    const upstream: TestServer = await startServer((req, res) => {
      forwardedTargets.push(req.url ?? '')
      req.resume()
      req.on('end', () => res.end('ok'))
      req.on('error', () => {})
    })
    const logger = makeRecordingLogger()
    const tollgate = await startTollgate({
      upstream: upstream.url,
      rateLimit: { limit: 1_000_000 },
      logger,
    })
    const statuses = new Map<string, number>()
    const internalErrors: string[] = []

    const count = await runFor(
      BUDGET_MS.http,
      8,
      async (random) => {
        const input = mutateRequest(random, Buffer.from(random.pick(REQUEST_TEMPLATES), 'latin1'))
        const answer = await exchangeRaw(tollgate.port, input)
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 'none'
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (answer.includes('"INTERNAL"')) internalErrors.push(input.toString('latin1'))
      },
      createRandom(SEED),
    )
    const normal = await send(tollgate.url, { path: '/after-fuzz' })
    tollgate.store.flush()
    const storeStatus = tollgate.store.status()
    const logged = tollgate.store.count()
    await tollgate.stop()
    await upstream.close()
    report('raw HTTP', count)
    console.info(`fuzz raw HTTP: statuses ${JSON.stringify(Object.fromEntries(statuses))}`)

    expect(normal.status).toBe(200)
    expect(internalErrors.slice(0, 3)).toEqual([])
    expect(logger.lines.filter((line) => line.startsWith('error'))).toEqual([])
    expect(forwardedTargets.filter((target) => !target.startsWith('/'))).toEqual([])
    expect(storeStatus).toMatchObject({ writable: true, rejected: 0, dropped: 0 })
    expect(logged).toBeGreaterThan(0)
  })

  it('gets a config or a CONFIG_INVALID error from resolveConfig, and leaves prototypes alone', async () => {
    const base = defaultConfig('/tmp/never-opened.db')
    const baseBefore = JSON.stringify(base)
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).map(
      (name) => [name, Object.getOwnPropertyDescriptor(Object.prototype, name)?.value] as const,
    )
    const failures: string[] = []

    const count = await runFor(
      BUDGET_MS.config,
      1,
      (random) => {
        const text = random.chance(0.8) ? randomJsonText(random) : `{${randomJsonText(random)}`
        let input: unknown
        try {
          input = JSON.parse(text)
        } catch {
          return
        }
        try {
          const resolved = resolveConfig(input, base)
          // What was accepted once is accepted again, unchanged.
          const again = resolveConfig(JSON.parse(JSON.stringify(resolved)), base)
          if (JSON.stringify(again) !== JSON.stringify(resolved)) failures.push(`unstable: ${text}`)
        } catch (error) {
          if (!(error instanceof TollgateError) || error.code !== 'CONFIG_INVALID') {
            failures.push(`${(error as Error).name} ${(error as Error).message}: ${text}`)
          }
        }
      },
      createRandom(SEED + 1),
    )
    report('resolveConfig', count)

    expect(failures.slice(0, 5)).toEqual([])
    expect(JSON.stringify(base)).toBe(baseBefore)
    const prototypeAfter = Object.getOwnPropertyNames(Object.prototype).map(
      (name) => [name, Object.getOwnPropertyDescriptor(Object.prototype, name)?.value] as const,
    )
    expect(prototypeAfter).toEqual(prototypeBefore)
  })

  it('answers random config.update calls with 200 or 400, never 500, and keeps proxying', async () => {
    const started = await startControlled({ rateLimit: { limit: 1_000_000 } })
    const tollgate: ControlledTollgate = started.tollgate
    const upstreamUrl = started.upstream.url
    const statuses = new Map<number, number>()
    const serverErrors: string[] = []

    const count = await runFor(
      BUDGET_MS.control,
      1,
      async (random) => {
        const text = randomJsonText(random)
        const change = JSON.parse(text) as unknown
        keepUpstreamLocal(change, upstreamUrl)
        const { status, body } = await callRaw(tollgate.control.url, 'config.update', { change }, [
          'Authorization',
          `Bearer ${tollgate.control.token}`,
        ])
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status !== 200 && status !== 400) serverErrors.push(`${status} ${JSON.stringify(body)}`)
      },
      createRandom(SEED + 2),
    )
    tollgate.updateConfig({
      upstream: upstreamUrl,
      rateLimit: { limit: 1_000_000, windowMs: 60_000, enforce: true },
    })
    const normal = await send(tollgate.url, { path: '/after-config-fuzz' })
    await started.stop()
    report('config.update', count)
    console.info(`fuzz config.update: statuses ${JSON.stringify(Object.fromEntries(statuses))}`)

    expect(serverErrors.slice(0, 5)).toEqual([])
    expect(normal.status).toBe(200)
  })

  it('imports random and broken HAR documents or refuses them with HAR_INVALID', async () => {
    const temp = makeTempDir()
    const store = openStore({ path: temp.file, logger: makeRecordingLogger() })
    const failures: string[] = []
    let imported = 0

    const count = await runFor(
      BUDGET_MS.har,
      1,
      async (random, index) => {
        const text = mutateHar(random)
        const session = `fuzz-${index}`
        // The document arrives in random pieces, as an upload would.
        const pieces: string[] = []
        for (let at = 0; at < text.length;) {
          const size = 1 + random.int(64)
          pieces.push(text.slice(at, at + size))
          at += size
        }
        try {
          const result = await importHar(store, fromPieces(pieces), { session })
          imported += result.imported
          if (store.count({ session }) !== result.imported) {
            failures.push(`imported ${result.imported} but logged ${store.count({ session })}`)
          }
        } catch (error) {
          if (!(error instanceof TollgateError) || error.code !== 'HAR_INVALID') {
            failures.push(`${(error as Error).name} ${(error as Error).message}`)
          }
        }
      },
      createRandom(SEED + 3),
    )
    const status = store.status()
    store.close()
    temp.remove()
    report('HAR import', count)
    console.info(`fuzz HAR import: ${imported} entries imported`)

    expect(failures.slice(0, 5)).toEqual([])
    expect(status).toMatchObject({ rejected: 0, dropped: 0 })
  })
})

/** An http(s) upstream must stay the test's own: a fuzzed URL could name any host. */
function keepUpstreamLocal(change: unknown, upstreamUrl: string): void {
  if (typeof change !== 'object' || change === null || !Object.hasOwn(change, 'upstream')) return
  const value = (change as Record<string, unknown>).upstream
  if (typeof value !== 'string') return
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      ;(change as Record<string, unknown>).upstream = upstreamUrl
    }
  } catch {
    // Not a URL: the validator refuses it without connecting anywhere.
  }
}

async function* fromPieces(pieces: string[]): AsyncIterable<string> {
  for (const piece of pieces) yield piece
}

/** A valid HAR entry, varied by the fuzzer. */
function harEntry(index: number): Record<string, unknown> {
  return {
    startedDateTime: new Date(Date.UTC(2026, 0, 1, 10, 0, index)).toISOString(),
    time: 12.5,
    request: {
      method: index % 2 === 0 ? 'GET' : 'POST',
      url: `https://api.example/items/${index}?page=1`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [
        { name: 'X-API-Key', value: `sk_live_${index}` },
        { name: 'Origin', value: 'http://localhost:3000' },
      ],
      queryString: [{ name: 'page', value: '1' }],
      postData: { mimeType: 'application/json', text: '{"a":1}' },
      headersSize: -1,
      bodySize: 7,
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: [{ name: 'Content-Type', value: 'application/json' }],
      content: { size: 2, mimeType: 'application/json', text: 'e30=', encoding: 'base64' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 2,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 1, wait: 10, receive: 1 },
  }
}

/**
 * A HAR document with a few entries, then damaged: a random value somewhere replaced by random
 * JSON, keys dropped, or the text itself cut or flipped.
 */
function mutateHar(random: Random): string {
  const entries = Array.from({ length: 1 + random.int(4) }, (_, index) => harEntry(index))
  const document: Record<string, unknown> = {
    log: { version: '1.2', creator: { name: 'fuzz', version: '1' }, entries },
  }
  const edits = random.int(4)
  for (let edit = 0; edit < edits; edit++) replaceRandomValue(random, document)

  const text = JSON.stringify(document)
  if (random.chance(0.25)) return text.slice(0, random.int(text.length + 1))
  if (random.chance(0.2)) {
    return mutateRequest(random, Buffer.from(text, 'latin1')).toString('latin1')
  }
  return text
}

function replaceRandomValue(random: Random, root: Record<string, unknown>): void {
  let node: unknown = root
  for (let depth = 0; depth < 6; depth++) {
    if (typeof node !== 'object' || node === null) return
    const container = node as Record<string, unknown>
    const keys = Object.keys(container)
    if (keys.length === 0) return
    const key = random.pick(keys)
    if (random.chance(0.3) || typeof container[key] !== 'object' || container[key] === null) {
      if (random.chance(0.3)) delete container[key]
      else container[key] = JSON.parse(randomJsonText(random, 2))
      return
    }
    node = container[key]
  }
}
