/** Recorded requests and configurations for "what if" tests. */

import { defaultConfig, type TollgateConfig } from '../../../shared/config'
import type { HeaderList } from '../../../shared/exchange'
import type { RecordedRequest } from '../../../electron/core/replay'

export const T0 = 1_767_225_600_000

/** The default configuration with another limit and window, and any other changes. */
export function makeConfig(
  rateLimit: Partial<TollgateConfig['rateLimit']> = {},
  cors: Partial<TollgateConfig['cors']> = {},
): TollgateConfig {
  const config = defaultConfig(':memory:')
  return {
    ...config,
    rateLimit: { ...config.rateLimit, ...rateLimit },
    cors: { ...config.cors, ...cors },
  }
}

/** A GET answered 200 that carries `key` in X-API-Key (none when undefined). */
export function makeRequest(
  startedAt: number,
  key: string | undefined,
  extra: Partial<RecordedRequest> & { headers?: HeaderList } = {},
): RecordedRequest {
  const { headers = [], ...rest } = extra
  const requestHeaders: HeaderList = [['Host', 'localhost:8787']]
  if (key !== undefined) requestHeaders.push(['X-API-Key', key])
  requestHeaders.push(...headers)
  return {
    method: 'GET',
    url: '/items',
    requestHeaders,
    clientAddress: '127.0.0.1',
    startedAt,
    status: 200,
    ...rest,
  }
}

/** `count` requests on one key, `stepMs` apart from T0. */
export function makeBurst(count: number, stepMs: number, key = 'key-burst'): RecordedRequest[] {
  return Array.from({ length: count }, (_, index) =>
    makeRequest(T0 + index * stepMs, key, { id: index + 1 }),
  )
}

/** Indices of the requests predicted to get 429. */
export function limitedIndices(statuses: Uint16Array): number[] {
  return [...statuses].flatMap((status, index) => (status === 429 ? [index] : []))
}
