/**
 * Tollgate as a library: `createTollgate` starts the gateway; the rest are the pieces tests,
 * benchmarks and replays reuse.
 */

/** The gateway and what it is built from: clocks, logging, the data directory. */
export { createTollgate, type Tollgate, type TollgateOptions } from './tollgate'
export { createMonotonicClock, createManualClock, type Clock, type ManualClock } from './clock'
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger'
export { startSampleApi, type SampleApi } from './sample-api'
export { defaultDbPath, defaultDataDir } from './data-dir'

/** Configuration, errors and the shape of a logged exchange. */
export { defaultConfig, type TollgateConfig, type TollgateConfigInput } from '../../shared/config'
export { resolveConfig, parseDuration } from '../../shared/config-validate'
export { TollgateError, type ErrorCode } from '../../shared/errors'
export type * from '../../shared/exchange'
export { findConfigWarnings } from './config-warnings'

/** The pure policies and the traffic log. */
export { SlidingWindowLimiter } from './limiter'
export { openStore, type Store } from './store'

/** HAR 1.2 files: streaming import into a session, streaming export of any filtered set. */
export {
  importHar,
  exportHar,
  type HarImportResult,
  type HarSource,
  type ImportHarOptions,
  type ExportHarOptions,
  type HarExportResult,
} from './har'

/** Offline "what if" runs of the policies over recorded requests, alone or compared. */
export {
  runWhatIf,
  compareWhatIf,
  readPrediction,
  readRecordedRequests,
  type RecordedRequest,
  type RecordedRequests,
  type WhatIfPolicy,
  type WhatIfOptions,
  type WhatIfRun,
  type WhatIfComparison,
  type WhatIfDifference,
} from './replay'

/** Recorded traffic sent again through a running gateway, paced as recorded or faster. */
export {
  replayTraffic,
  type ReplayGateway,
  type ReplayOptions,
  type ReplayPacing,
  type ReplayProgress,
  type ReplayResult,
  type ReplaySelection,
} from './replay'
export type { Lateness } from '../../shared/api'

/** An upstream that answers from a recorded session. */
export {
  startMockUpstream,
  type MockOptions,
  type MockUpstream,
  type MockUpstreamOptions,
} from './mock'
