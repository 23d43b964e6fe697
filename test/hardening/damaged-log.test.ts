import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../electron/core/store'
import { createTollgate } from '../../electron/core/tollgate'
import { TollgateError } from '../../shared/errors'
import { makeExchange, makeRecordingLogger } from '../core/store/helpers'
import { send, startServer, tempDir } from '../support/servers'

let temp: ReturnType<typeof tempDir>
let file: string

beforeEach(() => {
  temp = tempDir()
  file = path.join(temp.dir, 'traffic.db')
})

afterEach(() => {
  temp.remove()
})

function sha256(target: string): string {
  return createHash('sha256').update(fs.readFileSync(target)).digest('hex')
}

function catchError(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  return undefined
}

/** Files in the temp folder whose name marks them as moved aside. */
function movedAside(): string[] {
  return fs.readdirSync(temp.dir).filter((name) => name.includes('.damaged-'))
}

describe('a damaged traffic log', () => {
  it('is moved aside with its bytes intact when it is garbage, and Tollgate starts and logs', async () => {
    const garbage = Buffer.alloc(16_384)
    for (let index = 0; index < garbage.length; index++) garbage[index] = (index * 31 + 7) % 256
    fs.writeFileSync(file, garbage)
    const before = sha256(file)
    const logger = makeRecordingLogger()
    const upstream = await startServer((_req, res) => res.end('ok'))

    const tollgate = await createTollgate({
      listen: { host: '127.0.0.1', port: 0 },
      upstream: upstream.url,
      db: file,
      logger,
    })
    const response = await send(tollgate.url, { path: '/after-damage' })
    tollgate.store.flush()
    const count = tollgate.store.count()
    await tollgate.close()
    await upstream.close()

    expect(response.status).toBe(200)
    expect(count).toBe(1)
    const [aside] = movedAside()
    expect(aside).toBeDefined()
    expect(sha256(path.join(temp.dir, aside!))).toBe(before)
    const warning = logger.lines.find((line) => line.includes('damaged'))
    expect(warning).toContain(file)
    expect(warning).toContain(path.join(temp.dir, aside!))
  })

  it('is moved aside when the page holding its schema is overwritten', () => {
    const store = openStore({ path: file, logger: makeRecordingLogger() })
    for (let id = 1; id <= 50; id++) store.record(makeExchange(id))
    store.close()
    const bytes = fs.readFileSync(file)
    bytes.fill(0xa5, 100, 4096)
    fs.writeFileSync(file, bytes)
    const logger = makeRecordingLogger()

    const reopened = openStore({ path: file, logger })
    const count = reopened.count()
    reopened.close()

    expect(count).toBe(0)
    const [aside] = movedAside()
    expect(fs.readFileSync(path.join(temp.dir, aside!))).toEqual(bytes)
    const warning = logger.lines.find((line) => line.startsWith('warn'))
    expect(warning).toContain(file)
    expect(warning).toContain(aside)
  })

  it('is a SQLite file of another program: refused with a clear message and left untouched', () => {
    const foreign = new Database(file)
    foreign.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'ada')",
    )
    foreign.close()
    const before = sha256(file)

    const error = catchError(() => openStore({ path: file, logger: makeRecordingLogger() }))

    expect(error).toBeInstanceOf(TollgateError)
    expect((error as TollgateError).code).toBe('DB_UNAVAILABLE')
    expect((error as TollgateError).message).toContain(file)
    expect((error as TollgateError).message).toContain('another program')
    expect(sha256(file)).toBe(before)
    expect(movedAside()).toEqual([])
  })
})
