/** Every failure Tollgate names, as a closed set the UI and tests can switch on. */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'UPSTREAM_UNREACHABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RESET',
  'CLIENT_ABORTED',
  'PROXY_STOPPED',
  'PROXY_LOOP',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'BAD_REQUEST',
  'HAR_INVALID',
  'DB_UNAVAILABLE',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** True for one of `ERROR_CODES`, as a file read back (a HAR export) may carry. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value)
}

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
