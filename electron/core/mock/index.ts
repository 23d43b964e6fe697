/**
 * Answering from recordings: an upstream that serves a recorded session's answers, in order, so
 * the gateway can be exercised without the real API.
 */

export {
  startMockUpstream,
  type MockOptions,
  type MockUpstream,
  type MockUpstreamOptions,
} from './mock-upstream'
export { RecordedAnswers, type NextAnswer } from './recorded-answers'
