/**
 * The gateway's CORS decisions and verdicts for a "what if" run, remembered per request shape.
 * They are pure functions of a few request fields and the configuration, and recorded traffic
 * repeats a handful of shapes, so a run of a million requests works out each shape once and
 * keeps only the outcome and the blocking rule, not the wording.
 */

import type { CorsConfig } from '../../../shared/config'
import type { CorsVerdict } from '../../../shared/exchange'
import { decideActualRequest, decidePreflight, type CorsRequest } from '../cors'
import type { PreflightMatch } from '../preflight-tracker'
import { judgeActualRequest, judgePreflight } from '../verdict'
import { CORS_OUTCOMES, CORS_RULES } from './prediction-columns'

/** A verdict reduced to codes: an index into `CORS_OUTCOMES`, and 0 or 1 + an index into `CORS_RULES`. */
export interface VerdictCodes {
  outcome: number
  rule: number
}

/** What the gateway answers a preflight, and what the browser makes of it. */
export interface PreflightJudgement extends VerdictCodes {
  status: number
  passed: boolean
  maxAgeSeconds?: number
}

// Distinct shapes kept at once; past it the memory starts over, which costs only time.
const MAX_SHAPES = 10_000

export class CorsJudge {
  private readonly preflights = new Map<string, PreflightJudgement>()
  private readonly actuals = new Map<string, VerdictCodes>()

  constructor(
    private readonly config: CorsConfig,
    private readonly draftRateLimitHeaders: boolean,
  ) {}

  /** The gateway's answer to a preflight and its verdict. */
  judgePreflight(cors: CorsRequest): PreflightJudgement {
    // Everything decidePreflight and judgePreflight read from the request.
    const shape = [
      cors.origin,
      cors.originIsSingle,
      cors.requestedMethod,
      cors.requestedHeaders.join('\n'),
    ].join('\0')
    let judgement = this.preflights.get(shape)
    if (judgement !== undefined) return judgement

    const decision = decidePreflight(cors, this.config)
    judgement = {
      status: decision.status,
      passed: decision.passed,
      maxAgeSeconds: decision.maxAgeSeconds,
      ...toCodes(judgePreflight(cors, this.config, decision)),
    }
    remember(this.preflights, shape, judgement)
    return judgement
  }

  /**
   * The verdict on an actual request whose response carries exactly Tollgate's CORS headers,
   * as the gateway replaces the upstream's.
   */
  judgeActual(cors: CorsRequest, preflight: PreflightMatch | undefined): VerdictCodes {
    // Everything judgeActualRequest and decideActualRequest read, but the preflight's id.
    const paired =
      preflight === undefined
        ? ''
        : `${preflight.source}:${'passed' in preflight ? preflight.passed : ''}`
    const shape = [
      cors.method,
      cors.origin,
      cors.originIsSingle,
      cors.hasCookie,
      cors.unsafeHeaderNames.join('\n'),
      paired,
    ].join('\0')
    let codes = this.actuals.get(shape)
    if (codes !== undefined) return codes

    const headers = decideActualRequest(cors, this.config, {
      draftRateLimitHeaders: this.draftRateLimitHeaders,
    }).headers
    const verdict = judgeActualRequest({
      request: cors,
      config: this.config,
      responseHeaders: headers,
      preflight,
    })
    codes = toCodes(verdict)
    remember(this.actuals, shape, codes)
    return codes
  }
}

function toCodes(verdict: CorsVerdict): VerdictCodes {
  const rule = verdict.blocking?.rule
  return {
    outcome: CORS_OUTCOMES.indexOf(verdict.outcome),
    rule: rule === undefined ? 0 : CORS_RULES.indexOf(rule) + 1,
  }
}

function remember<T>(shapes: Map<string, T>, shape: string, value: T): void {
  if (shapes.size >= MAX_SHAPES) shapes.clear()
  shapes.set(shape, value)
}
