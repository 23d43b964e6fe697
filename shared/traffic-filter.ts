import type { TrafficFilter } from './api'

const isText = (value: unknown) => typeof value === 'string'

/**
 * Each field a traffic filter may hold, with the check a value from untrusted JSON must pass.
 * The control API and replay selections read filters with it, so they accept the same ones.
 */
export const TRAFFIC_FILTER_CHECKS: Record<keyof TrafficFilter, (value: unknown) => boolean> = {
  method: isText,
  status: (value) =>
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'string' && /^[2-5]xx$/.test(value)),
  keyHash: isText,
  origin: isText,
  outcome: (value) => value === 'allowed' || value === 'blocked' || value === 'not-cors',
  kind: (value) => value === 'http' || value === 'preflight' || value === 'websocket',
  text: isText,
}
