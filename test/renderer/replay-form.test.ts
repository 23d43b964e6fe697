import { describe, expect, it } from 'vitest'
import type { ExchangeDetail } from '../../shared/api'
import {
  buildEdit,
  bytesToBase64,
  parseHeaderLines,
  toEditDraft,
} from '../../renderer/src/views/replay/exchange-edit'
import {
  buildConcurrency,
  buildPacing,
  buildSelection,
  describeFilter,
  INITIAL_SETUP,
} from '../../renderer/src/views/replay/replay-setup'

function detail(patch: Partial<ExchangeDetail> = {}): ExchangeDetail {
  return {
    id: 12,
    kind: 'http',
    startedAt: 0,
    method: 'POST',
    url: '/orders?draft=1',
    httpVersion: '1.1',
    clientAddress: '127.0.0.1',
    requestHeaders: [
      ['Host', 'api.local'],
      ['X-API-Key', 'sk_live_0123456789abcdef'],
      ['Content-Type', 'application/json'],
    ],
    requestBodySize: 11,
    requestBodyTruncated: false,
    responseBodySize: 0,
    responseBodyTruncated: false,
    requestBodyBase64: Buffer.from('{"qty":1}\n').toString('base64'),
    responseBodyBase64: '',
    ...patch,
  }
}

const describeKey = (hash: string) => `key-${hash}`

describe('the exchange edit', () => {
  it('asks for no edit when the form is as recorded', () => {
    const draft = toEditDraft(detail())

    expect(buildEdit(draft, draft)).toEqual({ edit: undefined, problems: [] })
  })

  it('carries only the fields that changed, the body as UTF-8 in base64', () => {
    const original = toEditDraft(detail())

    const { edit } = buildEdit(
      { ...original, url: ' /orders ', body: '{"qty":2,"note":"é"}' },
      original,
    )

    expect(edit).toEqual({
      url: '/orders',
      bodyBase64: Buffer.from('{"qty":2,"note":"é"}').toString('base64'),
    })
  })

  it('reads header lines in order, keeping spelling and repeats, and skipping blank lines', () => {
    const parsed = parseHeaderLines('X-Trace:  a1 \n\nAccept: text/plain\naccept: */*')

    expect(parsed).toEqual({
      headers: [
        ['X-Trace', 'a1'],
        ['Accept', 'text/plain'],
        ['accept', '*/*'],
      ],
      problems: [],
    })
  })

  it('names each line that is not a header and a method that is not a token', () => {
    const original = toEditDraft(detail())

    const result = buildEdit({ ...original, method: 'PO ST', headers: 'no colon here' }, original)

    expect(result.edit).toBeUndefined()
    expect(result.problems).toEqual([
      'Method: "PO ST" is not a method name such as POST.',
      'Header line 1: "no colon here" is not in the form "Name: value".',
    ])
  })

  it('keeps a gzip-encoded or binary body out of the text editor', () => {
    const gzipped = detail({
      requestHeaders: [['Content-Encoding', 'gzip']],
      requestBodyBase64: bytesToBase64(new Uint8Array([0x1f, 0x8b, 8])),
    })
    const binary = detail({ requestBodyBase64: bytesToBase64(new Uint8Array([0xff, 0xfe, 0])) })

    expect(toEditDraft(gzipped).body).toBeUndefined()
    expect(toEditDraft(gzipped).bodyLocked).toContain('gzip-encoded')
    expect(toEditDraft(binary).body).toBeUndefined()
    expect(toEditDraft(binary).bodyLocked).toContain('3 bytes of binary data')
  })
})

describe('the replay form', () => {
  it('turns the pacing choices into the pacing replay.start takes', () => {
    const pacing = INITIAL_SETUP.pacing

    expect(buildPacing({ ...pacing, speed: '0.5' })).toMatchObject({
      value: { mode: 'original', speed: 0.5 },
    })
    expect(buildPacing({ ...pacing, speed: 'custom', customSpeed: '8' })).toMatchObject({
      value: { mode: 'original', speed: 8 },
    })
    expect(buildPacing({ ...pacing, mode: 'rate', rate: '0' })).toEqual({
      problems: ['Rate: "0" is not a positive number of requests a second.'],
    })
    expect(buildConcurrency('0')).toHaveProperty('problems')
  })

  it('replays the Traffic filter as it stands, named in words', () => {
    const filter = { keyHash: 'abc', status: '2xx' as const, text: 'checkout' }

    const built = buildSelection(INITIAL_SETUP, filter, describeKey)

    expect(built).toEqual({
      value: { filter },
      label: 'Traffic filter: 2xx · key key-abc · "checkout"',
    })
    expect(describeFilter({}, describeKey)).toBe('all traffic')
  })

  it('asks for an exchange before replaying one, and sends its edit once there is one', () => {
    const original = toEditDraft(detail())
    const exchange = { ...INITIAL_SETUP, mode: 'exchange' as const }
    const editing = {
      ...exchange,
      exchangeId: 12,
      editing: true,
      edit: { id: 12, original, draft: { ...original, method: 'PUT' } },
    }

    expect(buildSelection(exchange, {}, describeKey)).toHaveProperty('problems')
    expect(buildSelection(editing, {}, describeKey)).toEqual({
      value: { id: 12, edit: { method: 'PUT' } },
      label: 'Exchange #12, edited',
    })
  })
})
