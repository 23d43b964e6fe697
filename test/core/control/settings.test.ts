import fs from 'node:fs'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { createTollgate } from '../../../electron/core/tollgate'
import { silentLogger } from '../../../electron/core/logger'
import { rawValues, send, startServer, tempDir } from '../../support/servers'
import { call, startControlled } from './helpers'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

it('persists config.update to the settings file, and a new Tollgate with it starts with that config', async () => {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const settingsPath = path.join(temp.dir, 'settings.json')
  const first = await startControlled({ settingsPath })
  cleanups.push(first.stop)

  const { status } = await call(first.tollgate.control, 'config.update', {
    change: { rateLimit: { limit: 7 }, cors: { allowedOrigins: ['http://localhost:5173'] } },
  })
  await first.stop()
  cleanups.pop()
  const upstream = await startServer((_req, res) => res.end('ok'))
  cleanups.push(upstream.close)
  const second = await createTollgate({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: upstream.url,
    db: ':memory:',
    logger: silentLogger,
    settingsPath,
  })
  cleanups.push(second.close)
  const proxied = await send(second.url, { headers: ['X-API-Key', 'key-saved-1'] })

  expect(status).toBe(200)
  expect(JSON.parse(fs.readFileSync(settingsPath, 'utf8'))).toEqual({
    rateLimit: { limit: 7 },
    cors: { allowedOrigins: ['http://localhost:5173'] },
  })
  expect(second.config().cors.allowedOrigins).toEqual(['http://localhost:5173'])
  expect(rawValues(proxied.rawHeaders, 'X-RateLimit-Limit')).toEqual(['7'])
})

it('lets options win over the settings file', async () => {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const settingsPath = path.join(temp.dir, 'settings.json')
  fs.writeFileSync(settingsPath, JSON.stringify({ rateLimit: { limit: 7, windowMs: 5000 } }))

  const tollgate = await createTollgate({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: 'http://127.0.0.1:9',
    db: ':memory:',
    logger: silentLogger,
    settingsPath,
    rateLimit: { limit: 11 },
  })
  cleanups.push(tollgate.close)

  expect(tollgate.config().rateLimit.limit).toBe(11)
  expect(tollgate.config().rateLimit.windowMs).toBe(5000)
})

it('merges later changes into the file without writing sections nobody changed', async () => {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const settingsPath = path.join(temp.dir, 'settings.json')
  const started = await startControlled({ settingsPath, rateLimit: { windowMs: 1234 } })
  cleanups.push(started.stop)

  await call(started.tollgate.control, 'config.update', { change: { rateLimit: { limit: 9 } } })
  await call(started.tollgate.control, 'config.update', {
    change: { rateLimit: { enforce: false } },
  })

  expect(JSON.parse(fs.readFileSync(settingsPath, 'utf8'))).toEqual({
    rateLimit: { limit: 9, enforce: false },
  })
  expect(fs.readdirSync(temp.dir)).toEqual(['settings.json'])
})

it('refuses to start on a settings file with a bad value, naming the file and the field', async () => {
  const temp = tempDir()
  cleanups.push(temp.remove)
  const settingsPath = path.join(temp.dir, 'settings.json')
  fs.writeFileSync(settingsPath, JSON.stringify({ capture: { maxBodyBytes: 'lots' } }))

  const starting = createTollgate({ db: ':memory:', logger: silentLogger, settingsPath })

  await expect(starting).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  await expect(starting).rejects.toThrow(/capture\.maxBodyBytes[\s\S]*settings\.json/)
})
