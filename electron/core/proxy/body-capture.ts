import type { Readable, Writable } from 'node:stream'

// Most requests have no body; a buffer of length zero has nothing to change, so they can share one.
const NO_BYTES = Buffer.alloc(0)

/**
 * Keeps the first `limit` bytes of a streamed body for the log while counting every byte, so
 * the stored copy is exact up to the cap and the real size is always known.
 */
export class BodyCapture {
  private readonly chunks: Buffer[] = []
  private kept = 0
  size = 0

  constructor(private readonly limit: number) {}

  /** Takes one chunk as it passes; the chunk itself is forwarded untouched by the caller. */
  push(chunk: Buffer): void {
    this.size += chunk.length
    if (this.kept >= this.limit) return

    const room = this.limit - this.kept
    const piece = chunk.length <= room ? chunk : chunk.subarray(0, room)
    this.chunks.push(piece)
    this.kept += piece.length
  }

  get truncated(): boolean {
    return this.size > this.kept
  }

  /** The kept bytes as one buffer. */
  bytes(): Buffer {
    if (this.chunks.length === 0) return NO_BYTES
    if (this.chunks.length === 1) return this.chunks[0]!
    return Buffer.concat(this.chunks, this.kept)
  }
}

/**
 * Copies `source` into `sink` as it arrives, at the pace `sink` takes it, keeping a copy in
 * `capture`. Ending is left to the caller, which knows what an end or a cut means.
 */
export function relayCaptured(source: Readable, sink: Writable, capture: BodyCapture): void {
  source.on('data', (chunk: Buffer) => {
    capture.push(chunk)
    if (sink.write(chunk)) return
    source.pause()
    sink.once('drain', () => source.resume())
  })
}
