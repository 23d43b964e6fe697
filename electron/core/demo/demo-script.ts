/**
 * The demo page's script, as the browser runs it. It is plain JavaScript in a string so the page
 * can carry it inline under a hash-pinned Content-Security-Policy, and it reads everything it
 * needs from the JSON block the server writes into the page.
 */

export const DEMO_SCRIPT = `
'use strict'
const config = JSON.parse(document.getElementById('demo-config').textContent)
const pathInput = document.getElementById('path')
const BURST = 70

const target = () => new URL(pathInput.value.trim() || '/', config.proxyUrl).href
const randomId = () => Math.random().toString(36).slice(2, 10)

// One fetch, reduced to what script may read: the status and the rate-limit headers, or the
// error a blocked read turns into (the browser keeps the reason for its console).
async function send(init) {
  try {
    const response = await fetch(target(), { cache: 'no-store', ...init })
    await response.arrayBuffer()
    return {
      status: response.status,
      remaining: response.headers.get('X-RateLimit-Remaining'),
      retryAfter: response.headers.get('Retry-After'),
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

function describe(result) {
  if (result.error) return 'CORS error: ' + result.error + ' (the browser tells script no more)'
  const remaining = result.remaining === null ? 'not readable' : result.remaining
  return result.status + ' · X-RateLimit-Remaining: ' + remaining
}

function show(name, text, tone) {
  const output = document.getElementById('result-' + name)
  output.textContent = text
  output.dataset.tone = tone
}

const toneOf = (result) => (result.error ? 'error' : result.status === 429 ? 'limited' : 'ok')

async function runOne(name, init) {
  show(name, 'sending…', 'busy')
  const result = await send(init)
  show(name, describe(result), toneOf(result))
}

// Sent one after another, so Remaining falls by one each time and the 429s follow in order.
async function runBurst() {
  const counts = {}
  let last = { error: 'nothing sent' }
  let retryAfter = null
  for (let index = 1; index <= BURST; index++) {
    last = await send({ headers: { 'X-API-Key': config.apiKey } })
    const label = last.error ? 'CORS error' : String(last.status)
    counts[label] = (counts[label] || 0) + 1
    if (last.status === 429) retryAfter = last.retryAfter
    show('burst', index + ' of ' + BURST + ' sent…', 'busy')
  }
  const tally = Object.entries(counts)
    .map(([label, count]) => count + ' × ' + label)
    .join(', ')
  const wait = retryAfter === null ? '' : ' · Retry-After: ' + retryAfter + ' s'
  const tone = counts['CORS error'] ? 'error' : counts['429'] ? 'limited' : 'ok'
  show('burst', BURST + ' sent: ' + tally + ' · last ' + describe(last) + wait, tone)
}

const actions = {
  simple: () => runOne('simple', {}),
  keyed: () => runOne('keyed', { headers: { 'X-API-Key': config.apiKey } }),
  burst: runBurst,
  header: () =>
    runOne('header', { headers: { 'X-API-Key': config.apiKey, 'X-Demo-Trace': randomId() } }),
  credentials: () => {
    // Cookies ignore ports, so this page's cookie also goes to the proxy on the same host.
    document.cookie = 'tollgate_demo_session=' + randomId() + '; path=/; SameSite=Lax'
    return runOne('credentials', { credentials: 'include' })
  },
}

for (const button of document.querySelectorAll('button[data-action]')) {
  button.addEventListener('click', async () => {
    button.disabled = true
    try {
      await actions[button.dataset.action]()
    } finally {
      button.disabled = false
    }
  })
}
`
