import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../electron/core/logger'
import { readRecordedRequests, runWhatIf } from '../../../electron/core/replay'
import { openStore, type Store } from '../../../electron/core/store'
import { makeExchange, makeTempDir } from '../store/helpers'
import { T0, limitedIndices, makeConfig } from './what-if-fixtures'

let temp: ReturnType<typeof makeTempDir>
let store: Store

beforeEach(() => {
  temp = makeTempDir()
  store = openStore({ path: temp.file, logger: silentLogger })
})

afterEach(() => {
  store.close()
  temp.remove()
})

const KEYED: [string, string][] = [
  ['Host', 'localhost:8787'],
  ['Authorization', 'Bearer sk_live_0123456789abcdef'],
]

describe('readRecordedRequests', () => {
  it('reads a session oldest first, by start time, with what a replay needs', () => {
    store.record(makeExchange(1, { startedAt: T0 + 20, session: 'import' }))
    store.record(
      makeExchange(2, { startedAt: T0 + 10, session: 'import', origin: 'http://a.test' }),
    )
    store.record(makeExchange(3, { startedAt: T0, session: undefined }))
    store.record(
      makeExchange(4, {
        startedAt: T0 + 30,
        session: 'import',
        status: 429,
        rateLimit: {
          bucket: 'key x',
          allowed: false,
          limit: 1,
          windowMs: 1000,
          remaining: 0,
          resetAt: T0 + 1000,
          enforced: true,
        },
      }),
    )
    store.flush()

    const requests = [...readRecordedRequests(temp.file, { session: 'import' })]

    expect(requests.map((request) => request.id)).toEqual([2, 1, 4])
    expect(requests[0]).toEqual({
      id: 2,
      kind: 'http',
      startedAt: T0 + 10,
      method: 'GET',
      url: '/items/2',
      clientAddress: '127.0.0.1',
      origin: 'http://a.test',
      status: 200,
      requestHeaders: [['Host', 'localhost:8787']],
    })
    expect(requests[2]?.rateLimit).toEqual({ allowed: false })
  })

  it('feeds a what-if run straight from the log', async () => {
    for (let id = 1; id <= 70; id++) {
      store.record(makeExchange(id, { startedAt: T0 + id * 100, requestHeaders: KEYED }))
    }
    store.flush()

    const run = await runWhatIf(readRecordedRequests(temp.file), makeConfig({ limit: 60 }))

    expect(run.count).toBe(70)
    expect(limitedIndices(run.columns.status)).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69])
    expect(run.columns.id[60]).toBe(61)
  })

  it('refuses a log file that does not exist', () => {
    const missing = `${temp.dir}/none.db`

    const read = () => [...readRecordedRequests(missing)]

    expect(read).toThrow(expect.objectContaining({ code: 'DB_UNAVAILABLE' }))
  })
})
