import http from 'node:http'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { BudgetSummary, ControlEvent } from '../../../shared/api'
import type { ExchangeSummary } from '../../../shared/exchange'
import { eventually, send } from '../../support/servers'
import { call, openEvents, startControlled, type ControlledTollgate } from './helpers'

let tollgate: ControlledTollgate
let stop: () => Promise<void>

beforeEach(async () => {
  const started = await startControlled({ rateLimit: { limit: 1_000_000 } })
  tollgate = started.tollgate
  stop = started.stop
})

afterEach(async () => {
  await stop()
})

const recorded = (events: ControlEvent[]): ExchangeSummary[] =>
  events.flatMap((event) => (event.type === 'traffic.recorded' ? event.exchanges : []))

const budgets = (events: ControlEvent[]): BudgetSummary[] =>
  events.flatMap((event) => (event.type === 'budget.changed' ? event.budgets : []))

/** Sends `total` requests over 32 keep-alive connections, as fast as they are answered. */
async function sendBurst(total: number, headers: http.OutgoingHttpHeaders): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })
  let next = 0
  const worker = async () => {
    while (next < total) {
      const index = next++
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${tollgate.url}/burst/${index}`, { agent, headers }, (res) => {
            res.resume()
            res.on('end', resolve)
          })
          .on('error', reject)
      })
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
  agent.destroy()
}

it('delivers 1 000 proxied requests as far fewer messages, every id included', async () => {
  const events = await openEvents(tollgate.control)

  await sendBurst(1_000, { 'X-API-Key': 'key-burst-1' })
  await eventually(() => tollgate.store.count() === 1_000)
  await eventually(() => new Set(recorded(events.events).map((item) => item.id)).size === 1_000)
  events.close()

  const ids = new Set(recorded(events.events).map((item) => item.id))
  const logged = tollgate.store.list({ limit: 1000 }).items.map((item) => item.id)
  expect([...ids].sort()).toEqual([...logged].sort())
  expect(events.messageCount()).toBeLessThan(50)
})

it('sends budget.changed for a key after its requests, with the key masked', async () => {
  const events = await openEvents(tollgate.control)

  for (let index = 0; index < 3; index++) {
    await send(tollgate.url, { headers: ['Authorization', 'Bearer sk_live_events_abcd1234'] })
  }
  await eventually(() =>
    budgets(events.events).some((budget) => budget.limit - budget.remaining === 3),
  )
  events.close()

  const last = budgets(events.events).at(-1)!
  expect(last).toMatchObject({ keyMasked: 'sk_live_…1234', limit: 1_000_000, remaining: 999_997 })
  expect(JSON.stringify(events.events)).not.toContain('sk_live_events_abcd1234')
})

it('sends traffic.cleared when the log is cleared', async () => {
  const events = await openEvents(tollgate.control)

  await call(tollgate.control, 'traffic.clear', {})
  await eventually(() => events.events.some((event) => event.type === 'traffic.cleared'))
  events.close()

  expect(events.events.map((event) => event.type)).toContain('traffic.cleared')
})

it('sends config.changed with the new config after config.update', async () => {
  const events = await openEvents(tollgate.control)

  await call(tollgate.control, 'config.update', { change: { cors: { allowCredentials: true } } })
  await eventually(() => events.events.some((event) => event.type === 'config.changed'))
  events.close()

  const changed = events.events.find((event) => event.type === 'config.changed')
  expect(changed).toMatchObject({ view: { config: { cors: { allowCredentials: true } } } })
})
