/**
 * Replaying recorded traffic offline: "what if" runs of the gateway's pure policies over the log
 * or any sequence of recorded requests, and comparisons of two configurations.
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
