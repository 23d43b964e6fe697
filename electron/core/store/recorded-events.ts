/**
 * Who hears about committed exchanges, and what they are told: a summary per exchange a batch
 * inserted or changed, without bodies.
 */

import type { Logger } from '../logger'
import type { BatchResult } from './batch-writer'
import type { Reader } from './queries'
import type { LoggedSummary } from './types'

type Listener = (summaries: LoggedSummary[]) => void

export interface RecordedEvents {
  listen(listener: Listener): () => void
  /** Whether anyone listens now: exchanges recorded meanwhile need no summary kept. */
  listening(): boolean
  /** Tells every listener what a committed batch did; `reader` reads back changed rows. */
  emit(result: BatchResult, reader: Reader | undefined): void
}

export function createRecordedEvents(logger: Logger): RecordedEvents {
  const listeners = new Set<Listener>()

  return {
    listen(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    listening: () => listeners.size > 0,

    emit(result, reader) {
      if (listeners.size === 0) return

      const batch = summarise(result, reader)
      if (batch.length === 0) return
      for (const listener of listeners) {
        try {
          listener(batch)
        } catch (error) {
          logger.error(`a traffic log listener failed: ${(error as Error)?.message ?? error}`)
        }
      }
    },
  }
}

function summarise(result: BatchResult, reader: Reader | undefined): LoggedSummary[] {
  // Inserted ids are distinct (the primary key saw to it): only updates can repeat one.
  if (result.updated.size === 0 || !reader) return result.inserted

  const summaries = new Map<number, LoggedSummary>()
  for (const summary of result.inserted) summaries.set(summary.id, summary)
  // An update changes what the UI shows, so the row is sent again as it now reads.
  for (const summary of reader.summaries([...result.updated])) summaries.set(summary.id, summary)
  return [...summaries.values()]
}
