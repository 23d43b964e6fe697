/**
 * The writes waiting for the writer, in batches of at most `maxBatch`: full batches oldest first,
 * then the one still filling. A batch is encoded when it is sealed, in one loop over its writes,
 * which costs the proxy's thread far less than encoding each exchange between requests. A sealed
 * batch stays here until the writer has committed it, so a failed write is simply posted again.
 */

import { prepareBatch, type PreparedBatch } from './batch-writer'
import type { ExchangePatch, LoggedExchange } from './types'

export type PendingWrite =
  | { type: 'insert'; exchange: LoggedExchange }
  | { type: 'update'; id: number; patch: ExchangePatch }

/**
 * What an insert keeps of `exchange` until it is encoded: its own object, so later changes to the
 * exchange's own fields are not logged, holding the same header lists and decisions, which the
 * caller leaves alone (see `Store.record`). A body that is a view into a larger buffer, such as a
 * socket read, is copied, so the larger buffer is not kept alive while the exchange waits.
 */
export function keepForInsert(exchange: LoggedExchange): LoggedExchange {
  return {
    ...exchange,
    requestBody: ownBytes(exchange.requestBody),
    responseBody: ownBytes(exchange.responseBody),
  }
}

function ownBytes(body: Uint8Array): Uint8Array {
  if (!(body instanceof Uint8Array) || body.byteLength === 0) return body
  return body.byteLength === body.buffer.byteLength ? body : Buffer.from(body)
}

export class PendingBatches {
  private sealed: PreparedBatch[] = []
  private filling: PendingWrite[] = []
  // Whether each write of `filling` keeps its summary for listeners.
  private fillingSummaries: boolean[] = []
  private pending = 0

  constructor(private readonly maxBatch: number) {}

  /** Writes waiting, the batch the writer has in hand included. */
  get size(): number {
    return this.pending
  }

  /** Adds `write` to the batch filling up; `keepSummary` as `BatchBuilder.add` takes it. */
  push(write: PendingWrite, keepSummary: boolean): void {
    this.filling.push(write)
    this.fillingSummaries.push(keepSummary)
    this.pending++
    if (this.filling.length >= this.maxBatch) this.sealFilling()
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
    this.filling = []
    this.fillingSummaries = []
    this.pending = 0
  }

  private sealFilling(): void {
    if (this.filling.length === 0) return
    this.sealed.push(prepareBatch(this.filling, this.fillingSummaries))
    this.filling = []
    this.fillingSummaries = []
  }
}
