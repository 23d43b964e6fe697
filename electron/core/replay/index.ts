/**
 * Replaying recorded traffic: sent again through a running gateway, with each new row linked to
 * its original; and offline, as "what if" runs of the gateway's pure policies over the log or any
 * sequence of recorded requests, and comparisons of two configurations.
 */

export {
  compareWhatIf,
  readPrediction,
  readRemainingSeries,
  runWhatIf,
  type RecordedRequests,
  type WhatIfComparison,
  type WhatIfDifference,
  type WhatIfOptions,
  type WhatIfRun,
} from './what-if'
export {
  WhatIfSimulator,
  type KeyPrediction,
  type RecordedRequest,
  type WhatIfPolicy,
} from './what-if-simulator'
export {
  CORS_OUTCOMES,
  CORS_RULES,
  FLAG_LIMITED,
  FLAG_PREFLIGHT,
  type CorsOutcome,
  type PredictionColumns,
  type RequestPrediction,
} from './prediction-columns'
export {
  readRecordedRequests,
  type LoggedRequest,
  type ReadRequestsOptions,
} from './recorded-requests'
export {
  prepareReplay,
  replayTraffic,
  measureLateness,
  type PreparedReplay,
  type ReplayGateway,
  type ReplayOptions,
  type ReplayProgress,
  type ReplayResult,
} from './replay'
export { selectExchanges, type ReplaySelection } from './replay-selection'
export { buildReplayRequest, type ExchangeEdit, type ReplayRequest } from './replay-request'
export { REPLAY_OF_HEADER, createReplayLinks, takeReplayMarker } from './replay-marker'
export { createReplayService, type ReplayService } from './replay-runs'
export { runWhatIfOnSelection } from './what-if-selection'
export type { ReplayPacing } from './replay-pacing'
