import { describe, expect, it, vi } from 'vitest'
import type { ControlMethods, TrafficFilter } from '../../shared/api'
import type { ExchangeSummary } from '../../shared/exchange'
import { matchesFilter, TrafficFeed } from '../../renderer/src/api/traffic-feed'

type ListParams = ControlMethods['traffic.list'][0]

function summary(id: number, patch: Partial<ExchangeSummary> = {}): ExchangeSummary {
  return {
    id,
    kind: 'http',
    startedAt: id * 1000,
    method: 'GET',
    url: `/items/${id}`,
    httpVersion: '1.1',
    status: 200,
    clientAddress: '127.0.0.1',
    requestHeaders: [],
    requestBodySize: 0,
    requestBodyTruncated: false,
    responseBodySize: 0,
    responseBodyTruncated: false,
    ...patch,
  }
}

const ids = (feed: TrafficFeed) => feed.getState().items.map((item) => item.id)

describe('TrafficFeed', () => {
  it('loads the newest page, then puts pushed exchanges on top', async () => {
    const feed = new TrafficFeed(async () => ({ items: [summary(2), summary(1)] }))

    await feed.load({})
    feed.receive([summary(3)])

    expect(ids(feed)).toEqual([3, 2, 1])
  })

  it('replaces an exchange pushed again, such as a preflight that learned its request', async () => {
    const feed = new TrafficFeed(async () => ({ items: [summary(1)] }))
    await feed.load({})

    feed.receive([summary(1, { pairedId: 2 })])

    expect(feed.getState().items).toHaveLength(1)
    expect(feed.getState().items[0]!.pairedId).toBe(2)
  })

  it('keeps pushed exchanges that fail the filter out, and drops rows that stop matching', async () => {
    const feed = new TrafficFeed(async () => ({ items: [summary(1, { status: 429 })] }))
    await feed.load({ status: '4xx' })

    feed.receive([summary(2, { status: 200 }), summary(1, { status: 200 })])

    expect(ids(feed)).toEqual([])
  })

  it('holds exchanges while paused and shows them on resume', async () => {
    const feed = new TrafficFeed(async () => ({ items: [] }))
    await feed.load({})
    feed.setPaused(true)

    feed.receive([summary(1)])
    feed.receive([summary(2), summary(1)])

    expect(ids(feed)).toEqual([])
    expect(feed.getState().held).toBe(2)
    feed.setPaused(false)
    expect(ids(feed)).toEqual([2, 1])
    expect(feed.getState().held).toBe(0)
  })

  it('pages in older exchanges with the cursor, without repeating rows', async () => {
    const list = vi.fn(async (params: ListParams) =>
      params.before === undefined
        ? { items: [summary(4), summary(3)], nextCursor: 3 }
        : { items: [summary(3), summary(2), summary(1)] },
    )
    const feed = new TrafficFeed(list)

    await feed.load({ method: 'GET' })
    await feed.loadOlder()

    expect(list).toHaveBeenLastCalledWith({ filter: { method: 'GET' }, before: 3, limit: 200 })
    expect(ids(feed)).toEqual([4, 3, 2, 1])
    expect(feed.getState().nextCursor).toBeUndefined()
  })

  it('ignores updates to rows older than the loaded page; the next page brings them', async () => {
    const feed = new TrafficFeed(async () => ({ items: [summary(9)], nextCursor: 9 }))
    await feed.load({})

    feed.receive([summary(4, { pairedId: 5 })])

    expect(ids(feed)).toEqual([9])
  })

  it('merges exchanges that arrive while the first page is still loading', async () => {
    let answer!: (page: { items: ExchangeSummary[] }) => void
    const feed = new TrafficFeed(() => new Promise((resolve) => (answer = resolve)))

    const loading = feed.load({})
    feed.receive([summary(3)])
    answer({ items: [summary(2)] })
    await loading

    expect(ids(feed)).toEqual([3, 2])
  })

  it('catches up on a newer page without dropping the first one still loading', async () => {
    const answers: ((page: { items: ExchangeSummary[] }) => void)[] = []
    const feed = new TrafficFeed(() => new Promise((resolve) => answers.push(resolve)))

    const loading = feed.load({})
    const catchingUp = feed.catchUp()
    answers[1]!({ items: [summary(4), summary(3), summary(2)] })
    await catchingUp
    answers[0]!({ items: [summary(2), summary(1)] })
    await loading

    expect(ids(feed)).toEqual([4, 3, 2, 1])
  })

  it('takes in only the exchanges it has not seen when catching up', async () => {
    const list = vi.fn(async () => ({ items: [summary(2), summary(1)] }))
    const feed = new TrafficFeed(list)
    await feed.load({})
    feed.setPaused(true)

    list.mockResolvedValueOnce({ items: [summary(3), summary(2), summary(1)] })
    await feed.catchUp()

    expect(feed.getState().held).toBe(1)
  })

  it('asks the core again when only a body could match the search', async () => {
    vi.useFakeTimers()
    const list = vi.fn(async () => ({ items: [] as ExchangeSummary[] }))
    const feed = new TrafficFeed(list)
    await feed.load({ text: 'needle' })

    list.mockResolvedValueOnce({ items: [summary(5)] })
    feed.receive([summary(5)])
    expect(ids(feed)).toEqual([])
    await vi.advanceTimersByTimeAsync(500)

    expect(ids(feed)).toEqual([5])
    vi.useRealTimers()
  })

  it('empties when the log is cleared', async () => {
    const feed = new TrafficFeed(async () => ({ items: [summary(1)], nextCursor: 1 }))
    await feed.load({})

    feed.clear()

    expect(feed.getState()).toMatchObject({ items: [], nextCursor: undefined })
  })
})

describe('matchesFilter', () => {
  const blocked = summary(1, {
    method: 'POST',
    status: 403,
    keyHash: 'abc',
    origin: 'http://localhost:3000',
    cors: { outcome: 'blocked', warnings: [] },
    requestHeaders: [['X-Trace', 'Needle-42']],
  })
  const cases: [TrafficFilter, boolean | 'unsure'][] = [
    [{}, true],
    [{ method: 'post' }, true],
    [{ method: 'GET' }, false],
    [{ status: '4xx' }, true],
    [{ status: 403 }, true],
    [{ status: '2xx' }, false],
    [{ keyHash: 'abc', origin: 'http://localhost:3000' }, true],
    [{ outcome: 'blocked' }, true],
    [{ outcome: 'not-cors' }, false],
    [{ kind: 'preflight' }, false],
    [{ text: 'needle-42' }, true],
    [{ text: '/items/1' }, true],
    [{ text: 'only-in-a-body' }, 'unsure'],
  ]

  it.each(cases)('judges %j as %s', (filter, expected) => {
    expect(matchesFilter(filter, blocked)).toBe(expected)
  })

  it('treats a request without an Origin as not-cors', () => {
    expect(matchesFilter({ outcome: 'not-cors' }, summary(2))).toBe(true)
  })
})
