import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

import type { CorsConfig } from '../../shared/config'
import type { HeaderList } from '../../shared/exchange'
import {
  applyCorsToResponseHeaders,
  decideActualRequest,
  decidePreflight,
  readCorsRequest,
  type CorsRequest,
  type PreflightDecision,
} from '../../electron/core/cors'
import type { CredentialsMode } from '../../electron/core/verdict'

type FixtureHeaders = Record<string, string | string[]>

export interface CorsVector {
  id: string
  description: string
  config: CorsConfig
  request: {
    method: string
    headers: FixtureHeaders
    credentialsMode?: CredentialsMode
    upstreamResponse?: { status: number; headers: FixtureHeaders }
    precondition?: string
  }
  expect: {
    status: number
    headers: Record<string, string>
    absentHeaders: string[]
    browserOutcome: 'allowed' | 'blocked'
    reason?: string
  }
}

/** What the policy produced for one vector, before the proxy adds its rate-limit headers. */
export interface PolicyRun {
  request: CorsRequest
  /** Set for preflights, which Tollgate answers itself. */
  preflight?: PreflightDecision
  status: number
  headers: HeaderList
}

const FIXTURE = resolve(__dirname, '../../../shared/fixtures/cors-vectors.json')

export function loadCorsVectors(): CorsVector[] {
  const parsed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: CorsVector[] }
  return parsed.cases
}

/** Fixture headers as node's flat rawHeaders: an array value becomes repeated lines. */
export function toRawHeaders(headers: FixtureHeaders): string[] {
  return Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).flatMap((item) => [name, item]),
  )
}

export function toHeaderList(headers: FixtureHeaders): HeaderList {
  const raw = toRawHeaders(headers)
  const list: HeaderList = []
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i] ?? '', raw[i + 1] ?? ''])
  return list
}

/** Decides a vector the way the proxy will: preflights answered, actual responses rewritten. */
export function runPolicy(vector: CorsVector): PolicyRun {
  const request = readCorsRequest(vector.request.method, toRawHeaders(vector.request.headers))

  if (request.isPreflight) {
    const preflight = decidePreflight(request, vector.config)
    return { request, preflight, status: preflight.status, headers: preflight.headers }
  }

  const upstream = vector.request.upstreamResponse
  const decision = decideActualRequest(request, vector.config)
  const headers = applyCorsToResponseHeaders(
    upstream ? toHeaderList(upstream.headers) : [],
    decision.headers,
  )
  return { request, status: upstream?.status ?? 200, headers }
}
