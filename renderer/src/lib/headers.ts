import type { HeaderList } from '../../../shared/exchange'

/** Every value of one header, compared case-insensitively, in wire order. */
export function headerValues(headers: HeaderList | undefined, name: string): string[] {
  const wanted = name.toLowerCase()
  return (headers ?? []).filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value)
}

/** The first value of one header, or undefined. */
export function headerValue(headers: HeaderList | undefined, name: string): string | undefined {
  return headerValues(headers, name)[0]
}
