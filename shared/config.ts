/**
 * The one configuration shape Tollgate uses everywhere: the config file, the library's options
 * and the UI's settings all speak it.
 */

export interface ListenConfig {
  host: string
  /** 0 picks any free port. */
  port: number
}

export interface KeyConfig {
  /** Headers the API key is read from, in order. `Authorization` is read as a Bearer token. */
  headers: string[]
}

export interface LimitOverride {
  limit?: number
  windowMs?: number
}

export interface RateLimitConfig {
  limit: number
  windowMs: number
  perKey: Record<string, LimitOverride>
  /** When false, budgets are tracked and logged but no request is refused. */
  enforce: boolean
  /** Also send the IETF httpapi draft `RateLimit-Policy` and `RateLimit` fields. */
  draftHeaders: boolean
}

export interface CorsConfig {
  allowedOrigins: string[]
  allowCredentials: boolean
  allowedMethods: string[]
  allowedHeaders: string[]
  exposeHeaders: string[]
  /** Seconds; undefined sends no `Access-Control-Max-Age`. */
  maxAge?: number
}

export interface CaptureConfig {
  /** Bytes of each request and response body kept in the log. */
  maxBodyBytes: number
}

export interface RetentionConfig {
  /** Keep at most this many exchanges; 0 keeps all. */
  maxRows: number
  /** Drop exchanges older than this many milliseconds; 0 keeps all. */
  maxAgeMs: number
}

export interface TollgateConfig {
  listen: ListenConfig
  /** The API Tollgate stands in front of; undefined starts the built-in sample API. */
  upstream?: string
  keys: KeyConfig
  rateLimit: RateLimitConfig
  cors: CorsConfig
  capture: CaptureConfig
  retention: RetentionConfig
  /** SQLite file path, or ':memory:'. */
  db: string
}

/** Every field optional, nested objects too: what a config file or option bag may hold. */
export type TollgateConfigInput = {
  [K in keyof TollgateConfig]?: NonNullable<TollgateConfig[K]> extends object
    ? Partial<NonNullable<TollgateConfig[K]>>
    : TollgateConfig[K]
}

export const DEFAULT_PORT = 8787

/** The defaults, without a database path: the caller decides where the log lives. */
export function defaultConfig(db: string): TollgateConfig {
  return {
    listen: { host: '127.0.0.1', port: DEFAULT_PORT },
    upstream: undefined,
    keys: { headers: ['Authorization', 'X-API-Key'] },
    rateLimit: { limit: 60, windowMs: 60_000, perKey: {}, enforce: true, draftHeaders: false },
    cors: {
      allowedOrigins: ['http://localhost:3000'],
      allowCredentials: false,
      allowedMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
      exposeHeaders: [],
      maxAge: undefined,
    },
    capture: { maxBodyBytes: 1024 * 1024 },
    retention: { maxRows: 100_000, maxAgeMs: 0 },
    db,
  }
}

/** The limit and window that apply to one key, overrides included. */
export function limitFor(config: RateLimitConfig, key: string | undefined) {
  const override = key === undefined ? undefined : config.perKey[key]
  return {
    limit: override?.limit ?? config.limit,
    windowMs: override?.windowMs ?? config.windowMs,
  }
}
