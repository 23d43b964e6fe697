import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { HeaderList } from '../../shared/exchange'
import { decodeBody, hexDump } from '../../renderer/src/views/detail/decode-body'

const json = JSON.stringify({ id: 1, tags: ['a'] })
const pretty = JSON.stringify({ id: 1, tags: ['a'] }, null, 2)
const typed = (type: string, encoding?: string): HeaderList =>
  encoding
    ? [
        ['Content-Type', type],
        ['Content-Encoding', encoding],
      ]
    : [['Content-Type', type]]

describe('decodeBody', () => {
  it('pretty-prints JSON', async () => {
    const view = await decodeBody(Buffer.from(json), typed('application/json'))

    expect(view.body).toEqual({ kind: 'json', text: pretty })
    expect(view.decodedFrom).toEqual([])
  })

  it('undoes gzip and deflate with the platform DecompressionStream', async () => {
    const gzip = await decodeBody(zlib.gzipSync(json), typed('application/json', 'gzip'))
    const deflate = await decodeBody(zlib.deflateSync(json), typed('application/json', 'deflate'))

    expect(gzip.body).toEqual({ kind: 'json', text: pretty })
    expect(gzip.decodedFrom).toEqual(['gzip'])
    expect(deflate.body).toEqual({ kind: 'json', text: pretty })
  })

  it('accepts raw deflate sent under the name deflate', async () => {
    const view = await decodeBody(zlib.deflateRawSync('hello'), typed('text/plain', 'deflate'))

    expect(view.body).toEqual({ kind: 'text', text: 'hello' })
  })

  it('undoes stacked codings in reverse order', async () => {
    const twice = zlib.gzipSync(zlib.deflateSync('layered'))

    const view = await decodeBody(twice, typed('text/plain', 'deflate, gzip'))

    expect(view.body).toEqual({ kind: 'text', text: 'layered' })
    expect(view.decodedFrom).toEqual(['gzip', 'deflate'])
  })

  it('says which coding it cannot undo and keeps the stored bytes', async () => {
    const stored = new Uint8Array([1, 2, 3])

    const view = await decodeBody(stored, typed('application/json', 'x-custom'))

    expect(view.cannotDecode).toBe('x-custom')
    expect(view.body).toEqual({ kind: 'binary', bytes: new Uint8Array([1, 2, 3]) })
  })

  it('keeps what a truncated gzip body yields and says it ended early', async () => {
    const whole = zlib.gzipSync('x'.repeat(50_000) + Math.random().toString(36).repeat(2000))

    const view = await decodeBody(whole.subarray(0, whole.length - 40), typed('text/plain', 'gzip'))

    expect(view.incomplete).toMatch(/gzip stream ended early/)
    expect(view.body.kind).toBe('text')
  })

  it('shows images as images and other binary as bytes', async () => {
    const png = await decodeBody(Buffer.from([0x89, 0x50]), typed('image/png'))
    const binary = await decodeBody(Buffer.from([0, 159, 146, 150]), typed('application/x-thing'))

    expect(png.body).toMatchObject({ kind: 'image', mime: 'image/png' })
    expect(binary.body.kind).toBe('binary')
  })

  it('reads an empty body as empty', async () => {
    expect((await decodeBody(new Uint8Array(), [])).body).toEqual({ kind: 'empty' })
  })
})

describe('hexDump', () => {
  it('prints offset, hex and printable characters per 16 bytes', () => {
    const dump = hexDump(new TextEncoder().encode('Tollgate\u0000\u0001 inspects!'))

    expect(dump.split('\n')).toEqual([
      '00000000  54 6f 6c 6c 67 61 74 65 00 01 20 69 6e 73 70 65  Tollgate.. inspe',
      '00000010  63 74 73 21                                      cts!',
    ])
  })
})
