import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ControlEvent } from '../../../shared/api'
import type { ErrorBody } from '../../../shared/errors'
import { eventually, send } from '../../support/servers'
import { makeEntry, makeHar } from '../har/har-fixtures'
import { call, openEvents, startControlled } from '../control/helpers'

let controlled: Awaited<ReturnType<typeof startControlled>>

beforeAll(async () => {
  controlled = await startControlled({ rateLimit: { limit: 3, windowMs: 60_000 } })
})

afterAll(() => controlled.stop())

/** A HAR file of `count` GETs on one key, a second apart. */
function harOf(count: number): string {
  const entries = Array.from({ length: count }, (_, index) =>
    makeEntry({ startedDateTime: new Date(Date.UTC(2026, 0, 1, 10, 0, index)).toISOString() }),
  )
  return JSON.stringify(makeHar(entries))
}

/** Uploads a HAR file through `POST /api/har.import`. */
async function importThroughApi(session: string, body: string) {
  const { control } = controlled.tollgate
  const response = await send(control.url, {
    method: 'POST',
    path: `/api/har.import?session=${encodeURIComponent(session)}`,
    headers: ['Authorization', `Bearer ${control.token}`],
    body,
  })
  return { status: response.status, body: JSON.parse(response.body.toString()) }
}

describe('replays and HAR files through the control API', () => {
  it('imports an uploaded HAR file into a session', async () => {
    const result = await importThroughApi('upload', harOf(5))

    expect(result).toEqual({
      status: 200,
      body: { session: 'upload', imported: 5, skipped: 0, problems: [] },
    })
  })

  it('refuses a body that is not a HAR file with 400 HAR_INVALID', async () => {
    const result = await importThroughApi('broken', 'this is not json')

    expect(result.status).toBe(400)
    expect(result.body.error.code).toBe('HAR_INVALID')
  })

  it('predicts with whatif.run what a lower limit does to the session, per key', async () => {
    const { control } = controlled.tollgate

    const result = await call(control, 'whatif.run', {
      selection: { session: 'upload' },
      change: { rateLimit: { limit: 2 } },
    })

    expect(result.status).toBe(200)
    expect(result.body.comparedWith).toBe('current')
    expect(result.body.keys).toEqual([
      expect.objectContaining({ keyMasked: 'sk_live_…cdef', requests: 5, limited: 3 }),
    ])
    expect(result.body.differences.map((difference) => difference.after.status)).toEqual([429])
    expect(result.body.differenceCount).toBe(1)
  })

  it('starts a replay, pushes progress and the finished summary, with 200 -> 429 per key', async () => {
    const { control } = controlled.tollgate
    const events = await openEvents(control)

    const started = await call(control, 'replay.start', {
      selection: { session: 'upload' },
      pacing: { mode: 'fastest' },
    })
    const runId = started.body.runId
    await eventually(() => events.events.some((event) => event.type === 'replay.finished'))
    events.close()

    const ofRun = events.events.filter(
      (event): event is Extract<ControlEvent, { runId: string }> =>
        'runId' in event && event.runId === runId,
    )
    const finished = ofRun.find((event) => event.type === 'replay.finished')
    expect(started.status).toBe(200)
    const lastProgress = ofRun.filter((event) => event.type === 'replay.progressed').at(-1)
    expect(lastProgress).toMatchObject({ progress: { completed: 5, answered: 5, failed: 0 } })
    expect(finished).toMatchObject({
      summary: {
        totals: { requests: 5, succeeded: 3, limited: 2, failed: 0, changed: 2 },
        keys: [{ keyMasked: 'sk_live_…cdef', changes: [{ from: 200, to: 429, count: 2 }] }],
      },
    })
  })

  it('refuses a replay of a session that does not exist, naming it', async () => {
    const { control } = controlled.tollgate

    const result = await call(control, 'replay.start', { selection: { session: 'nope' } })

    const error = (result.body as unknown as ErrorBody).error
    expect(result.status).toBe(404)
    expect(error.message).toContain('"nope"')
  })

  it('cancels a running replay, which then finishes as cancelled', async () => {
    const { control } = controlled.tollgate
    const events = await openEvents(control)
    const started = await call(control, 'replay.start', {
      selection: { session: 'upload' },
      pacing: { mode: 'rate', rate: 1 },
    })

    const cancelled = await call(control, 'replay.cancel', { runId: started.body.runId })
    const again = await call(control, 'replay.cancel', { runId: started.body.runId })
    await eventually(() => events.events.some((event) => event.type === 'replay.finished'))
    events.close()

    const finished = events.events.find((event) => event.type === 'replay.finished')
    expect([cancelled.body, again.body]).toEqual([{ cancelled: true }, { cancelled: false }])
    expect(finished).toMatchObject({ runId: started.body.runId, summary: { cancelled: true } })
  })

  it('exports a session as a HAR download', async () => {
    const { control } = controlled.tollgate
    const filter = encodeURIComponent(JSON.stringify({ session: 'upload' }))

    const response = await send(control.url, {
      path: `/api/har.export?filter=${filter}`,
      headers: ['Authorization', `Bearer ${control.token}`],
    })

    const har = JSON.parse(response.body.toString())
    expect(response.status).toBe(200)
    expect(response.rawHeaders.join('\n')).toMatch(/attachment; filename="tollgate-.*\.har"/)
    expect(har.log.entries).toHaveLength(5)
  })

  it('refuses the HAR routes without the token', async () => {
    const response = await send(controlled.tollgate.control.url, { path: '/api/har.export' })

    expect(response.status).toBe(401)
  })
})
