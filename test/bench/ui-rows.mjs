/**
 * Fills a Tollgate's traffic log with exchanges that look like a long day of real traffic:
 * written straight through the store, so 100 000 rows take seconds instead of minutes.
 */

const encoder = new TextEncoder()
const ORIGINS = ['http://localhost:3000', 'http://localhost:5173', undefined]
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']
const WINDOW_MS = 60_000

/** One plausible exchange: keyed, sometimes cross-origin, now and then refused with 429. */
function makeExchange(id, startedAt) {
  const key = id % 12
  const origin = ORIGINS[id % ORIGINS.length]
  const limited = id % 17 === 0
  const status = limited ? 429 : id % 41 === 0 ? 404 : 200
  const body = encoder.encode(JSON.stringify({ id, name: `Item ${id}`, price: (id % 90) + 0.5 }))
  const blocked = origin === 'http://localhost:5173'

  return {
    id,
    kind: 'http',
    startedAt,
    firstByteAt: startedAt + 3,
    endedAt: startedAt + 4,
    method: METHODS[id % METHODS.length],
    url: `/v1/items/${id % 5000}?page=${id % 7}`,
    httpVersion: '1.1',
    status,
    clientAddress: '127.0.0.1',
    keyMasked: `sk_test_…${String(1000 + key)}`,
    keyHash: `bench${key}`,
    origin,
    requestHeaders: [
      ['Host', '127.0.0.1:8787'],
      ['X-API-Key', `sk_test_filled_${1000 + key}`],
      ...(origin ? [['Origin', origin]] : []),
    ],
    responseHeaders: [
      ['Content-Type', 'application/json'],
      ['Content-Length', String(body.length)],
    ],
    requestBody: new Uint8Array(0),
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBody: body,
    responseBodySize: body.length,
    responseBodyTruncated: false,
    rateLimit: {
      bucket: `key bench${key}`,
      allowed: !limited,
      limit: 60,
      windowMs: WINDOW_MS,
      remaining: limited ? 0 : 60 - (id % 60),
      resetAt: startedAt + WINDOW_MS,
      retryAfterSeconds: limited ? 30 : undefined,
      enforced: true,
    },
    cors: origin
      ? {
          outcome: blocked ? 'blocked' : 'allowed',
          blocking: blocked
            ? {
                rule: 'origin-not-allowed',
                detail: `${origin} is not in cors.allowedOrigins.`,
                fix: `Add ${origin} to cors.allowedOrigins.`,
              }
            : undefined,
          warnings: [],
        }
      : { outcome: 'not-cors', warnings: [] },
  }
}

/**
 * Records `count` exchanges spread over the hour before `now`, oldest first, flushing as it goes
 * so the store's in-memory queue never holds more than one chunk.
 */
export function fillLog(store, count, now = Date.now()) {
  const chunk = 5000
  const spacing = 3_600_000 / count
  for (let index = 0; index < count; index++) {
    const id = store.nextId()
    store.record(makeExchange(id, Math.round(now - 3_600_000 + index * spacing)))
    if (index % chunk === chunk - 1) store.flush()
  }
  store.flush()
}
