/** Every failure Tollgate names, as a closed set the UI and tests can switch on. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_RESET'
  | 'CLIENT_ABORTED'
  | 'PROXY_STOPPED'
  | 'PROXY_LOOP'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'HAR_INVALID'
  | 'DB_UNAVAILABLE'
  | 'INTERNAL'

/** An expected failure: `message` names the offending value and how to fix it. */
export class TollgateError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TollgateError'
    this.code = code
  }
}

/** The JSON body of every error Tollgate answers over HTTP. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } }
}
