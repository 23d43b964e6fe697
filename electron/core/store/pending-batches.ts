/**
 * The writes waiting for the writer, encoded as they arrive into batches of at most `maxBatch`:
 * full batches oldest first, then the one still filling. A batch stays here until the writer has
 * committed it, so a failed write is simply posted again.
 */

import { BatchBuilder, type PreparedBatch } from './batch-writer'
import type { ExchangePatch, LoggedExchange } from './types'

export type PendingWrite =
  | { type: 'insert'; exchange: LoggedExchange }
  | { type: 'update'; id: number; patch: ExchangePatch }

export class PendingBatches {
  private sealed: PreparedBatch[] = []
  private filling: BatchBuilder | undefined
  private pending = 0

  constructor(private readonly maxBatch: number) {}

  /** Writes waiting, the batch the writer has in hand included. */
  get size(): number {
    return this.pending
  }

  /** Encodes `write` into the batch filling up; `keepSummary` as `BatchBuilder.add` takes it. */
  push(write: PendingWrite, keepSummary: boolean): void {
    const builder = (this.filling ??= new BatchBuilder(this.maxBatch))
    builder.add(write, keepSummary)
    this.pending++
    if (builder.size >= this.maxBatch) this.sealFilling()
  }

  /** The oldest batch, which stays pending until `remove` takes it away. */
  oldest(): PreparedBatch | undefined {
    if (this.sealed.length === 0) this.sealFilling()
    return this.sealed[0]
  }

  /** Takes away the oldest batch, once written. */
  remove(batch: PreparedBatch): void {
    if (this.sealed[0] !== batch) return
    this.sealed.shift()
    this.pending -= batch.writes
  }

  /**
   * Drops whole batches, oldest first, until at most `bound` writes are left; returns how many
   * inserts went with them.
   */
  dropOldest(bound: number): number {
    let inserts = 0
    while (this.pending > bound) {
      const batch = this.oldest()
      if (!batch) break
      this.remove(batch)
      inserts += batch.inserts
    }
    return inserts
  }

  clear(): void {
    this.sealed = []
    this.filling = undefined
    this.pending = 0
  }

  private sealFilling(): void {
    if (!this.filling) return
    this.sealed.push(this.filling.seal())
    this.filling = undefined
  }
}
