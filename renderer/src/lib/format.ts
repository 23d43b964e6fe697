/** Display formats for times, sizes and durations, tuned for a dense table. */

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** Local wall-clock time with milliseconds: `14:03:27.118`. */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs)
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}

/** `12 ms`, `1.24 s`, `2 min 05 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1) return '<1 ms'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} min ${pad(seconds % 60)} s`
}

/** Whole seconds left, for countdowns: `0 s`, `42 s`, `3 min 05 s`. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000))
  if (seconds < 60) return `${seconds} s`
  return `${Math.floor(seconds / 60)} min ${pad(seconds % 60)} s`
}

/** `0 B`, `812 B`, `1.4 kB`, `3.2 MB` (powers of 1000, like browser devtools). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—'
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** A window length in the words a person would use: `60 s`, `1.5 min`, `2 h`. */
export function formatWindow(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms < 120_000) return `${+(ms / 1000).toFixed(1)} s`
  if (ms < 7_200_000) return `${+(ms / 60_000).toFixed(1)} min`
  return `${+(ms / 3_600_000).toFixed(1)} h`
}
