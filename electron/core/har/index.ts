/**
 * HAR 1.2 files in and out of the traffic log: streaming import into a named session, with a
 * report of what each entry could not give, and streaming export of any filtered set.
 */

export {
  importHar,
  type HarImportResult,
  type HarSource,
  type ImportHarOptions,
} from './import-har'
export { exportHar, type ExportHarOptions, type HarExportResult } from './export-har'
export { HarEntryScanner, type ScannedEntry, type EntryScannerOptions } from './entry-scanner'
export { readHarEntry, type ImportedExchange, type ReadEntryResult } from './read-har-entry'
export { writeHarEntry, type WriteEntryOptions } from './write-har-entry'
export type * from './har-types'
