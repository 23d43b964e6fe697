/**
 * Tollgate as a library: `createTollgate` starts the gateway; the rest are the pieces tests,
 * benchmarks and replays reuse.
 */
export { createTollgate, type Tollgate, type TollgateOptions } from './tollgate'
export { createMonotonicClock, createManualClock, type Clock, type ManualClock } from './clock'
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger'
export { startSampleApi, type SampleApi } from './sample-api'
export { defaultDbPath, defaultDataDir } from './data-dir'
export { defaultConfig, type TollgateConfig, type TollgateConfigInput } from '../../shared/config'
export { resolveConfig, parseDuration } from '../../shared/config-validate'
export { TollgateError, type ErrorCode } from '../../shared/errors'
export type * from '../../shared/exchange'
export { SlidingWindowLimiter } from './limiter'
export { openStore, type Store } from './store'
export { findConfigWarnings } from './config-warnings'
