/**
 * The writes waiting for the next flush: a first-in first-out queue with O(1) push and drop from
 * the front, so recording stays cheap however long the file has been unwritable.
 */

import type { ExchangePatch, LoggedExchange } from './types'

export type PendingWrite =
  | { type: 'insert'; exchange: LoggedExchange }
  | { type: 'update'; id: number; patch: ExchangePatch }

export class PendingQueue {
  private items: (PendingWrite | undefined)[] = []
  private head = 0

  get size(): number {
    return this.items.length - this.head
  }

  push(write: PendingWrite): void {
    this.items.push(write)
  }

  /** Up to `count` of the oldest writes, left in the queue until `drop` removes them. */
  peek(count: number): PendingWrite[] {
    const end = Math.min(this.head + count, this.items.length)
    return this.items.slice(this.head, end) as PendingWrite[]
  }

  /** Removes the `count` oldest writes and returns how many of them were inserts. */
  drop(count: number): number {
    let inserts = 0
    const end = Math.min(this.head + count, this.items.length)
    for (let index = this.head; index < end; index++) {
      if (this.items[index]?.type === 'insert') inserts++
      this.items[index] = undefined
    }
    this.head = end

    // Compact once the dead front outweighs the live part, keeping each drop amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return inserts
  }

  clear(): void {
    this.items = []
    this.head = 0
  }
}
