import type { CorsRule } from '../../../shared/exchange'

/** Short names for the browser rule a verdict names, as the table's verdict column shows them. */
export const CORS_RULE_LABELS: Record<CorsRule, string> = {
  'origin-not-allowed': 'origin not allowed',
  'origin-not-single': 'several origins',
  'method-not-allowed': 'method not allowed',
  'header-not-allowed': 'header not allowed',
  'wildcard-with-credentials': '* with credentials',
  'credentials-not-allowed': 'credentials not allowed',
  'preflight-failed': 'preflight refused',
  'header-not-exposed': 'header not exposed',
  'preflight-missing': 'no preflight seen',
}
