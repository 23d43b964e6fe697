/**
 * The soak's "UI connected": a client that does at the protocol level what the inspector does
 * when it opens (the same first calls, then the live event stream) and counts what arrives, so
 * the run pays for pushing every exchange to a UI and can check that none went missing.
 */

import { WebSocket } from 'ws'

/** The calls the UI makes on opening: its status bar, settings, budgets and first table page. */
const OPENING_CALLS = [
  ['status.get', {}],
  ['config.get', {}],
  ['budgets.list', {}],
  ['traffic.list', { limit: 200 }],
]

/** Connects to a control API and counts its events until `close()`, which returns the counts. */
export async function connectUi({ controlUrl, token }) {
  const counts = {
    messages: 0,
    byType: {},
    exchanges: 0,
    failedCalls: [],
    disconnects: 0,
    lagsMs: [],
  }
  const seen = new Set()
  let closing = false
  let socket

  for (const [method, params] of OPENING_CALLS) {
    const response = await fetch(`${controlUrl}/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(params),
    })
    await response.arrayBuffer()
    if (!response.ok) counts.failedCalls.push(`${method}: HTTP ${response.status}`)
  }

  const receive = (data) => {
    const event = JSON.parse(data.toString())
    counts.messages++
    counts.byType[event.type] = (counts.byType[event.type] ?? 0) + 1
    if (event.type !== 'traffic.recorded') return

    counts.exchanges += event.exchanges.length
    let oldest = Infinity
    for (const exchange of event.exchanges) {
      seen.add(exchange.id)
      oldest = Math.min(oldest, exchange.endedAt ?? exchange.startedAt)
    }
    // How long the longest-waiting row of the batch took to reach the UI after it ended.
    if (oldest < Infinity) counts.lagsMs.push(Date.now() - oldest)
  }

  // Like the UI, a dropped stream is opened again; each drop is counted, since rows can be lost.
  const open = () =>
    new Promise((resolve, reject) => {
      const url = `${controlUrl.replace(/^http/, 'ws')}/api/events?token=${token}`
      socket = new WebSocket(url)
      socket.on('message', receive)
      socket.once('open', resolve)
      socket.on('error', reject)
      socket.once('close', () => {
        if (closing) return
        counts.disconnects++
        setTimeout(() => open().catch(() => {}), 500)
      })
    })
  await open()

  return {
    /** The counts so far; `distinctIds` is how many different exchanges arrived. */
    snapshot: () => ({ exchanges: counts.exchanges, distinctIds: seen.size }),
    async close() {
      closing = true
      if (socket.readyState === WebSocket.OPEN) {
        socket.close()
        await new Promise((resolve) => socket.once('close', resolve))
      } else socket.terminate()

      const lags = counts.lagsMs.sort((a, b) => a - b)
      const at = (share) => lags[Math.min(lags.length - 1, Math.floor(lags.length * share))]
      return {
        messages: counts.messages,
        byType: counts.byType,
        exchanges: counts.exchanges,
        distinctIds: seen.size,
        failedCalls: counts.failedCalls,
        disconnects: counts.disconnects,
        lagMs: lags.length ? { p50: at(0.5), p99: at(0.99), max: lags.at(-1) } : undefined,
      }
    },
  }
}
