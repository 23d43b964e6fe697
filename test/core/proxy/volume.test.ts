import http from 'node:http'
import { afterEach, expect, it } from 'vitest'
import { startServer, startTollgate } from '../../support/servers'

const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

it('logs every one of 10 000 requests sent over 64 connections', async () => {
  const upstream = await startServer((_req, res) => res.end('{"ok":true}'))
  const tollgate = await startTollgate({ upstream: upstream.url, rateLimit: { limit: 1_000_000 } })
  cleanups.push(upstream.close, tollgate.stop)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  const total = 10_000
  let next = 0
  let answered = 0

  const worker = async () => {
    while (next < total) {
      const index = next++
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${tollgate.url}/items/${index}`, { agent }, (res) => {
            res.resume()
            res.on('end', () => {
              answered += 1
              resolve()
            })
          })
          .on('error', reject)
      })
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker))
  agent.destroy()
  await tollgate.close()

  expect(answered).toBe(total)
  const { openStore } = await import('../../../electron/core/store')
  const { silentLogger } = await import('../../../electron/core/logger')
  const reopened = openStore({ path: tollgate.dbPath, logger: silentLogger })
  expect(reopened.count()).toBe(total)
  reopened.close()
})
