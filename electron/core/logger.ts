/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A small leveled logger; every core component gets one with its own prefix. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** A logger whose lines carry `prefix` after this one's. */
  child(prefix: string): Logger
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

export interface LoggerOptions {
  level?: LogLevel
  /** Where lines go; defaults to stderr so stdout stays clean for piping. */
  write?: (line: string, level: LogLevel) => void
}

/** Creates a logger that drops lines below `level`. */
export function createLogger(prefix: string, options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'))

  const emit = (level: LogLevel, message: string) => {
    if (ORDER[level] < threshold) return
    const tag = level === 'info' ? '' : ` ${level}:`
    write(`[${prefix}]${tag} ${message}`, level)
  }

  return {
    debug: (message) => emit('debug', message),
    info: (message) => emit('info', message),
    warn: (message) => emit('warn', message),
    error: (message) => emit('error', message),
    child: (child) => createLogger(`${prefix}:${child}`, options),
  }
}

/** A logger that keeps quiet, for tests and benchmarks. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
}
