/**
 * Remembering what a string turns into, for values asked for on every request (a key's hash, its
 * display form, its bucket name). Browser-safe: no Node imports.
 */

/** How many inputs are kept before the memory starts over. */
const REMEMBERED_MAX = 10_000
// Longer inputs are derived each time: thousands of them could hold megabytes.
const REMEMBERED_INPUT_LENGTH_MAX = 512

/** `derive`, remembering its result for the last few thousand inputs of up to 512 characters. */
export function remembered(derive: (input: string) => string): (input: string) => string {
  const recent = new Map<string, string>()
  return (input) => {
    let derived = recent.get(input)
    if (derived === undefined) {
      derived = derive(input)
      if (input.length <= REMEMBERED_INPUT_LENGTH_MAX) {
        if (recent.size >= REMEMBERED_MAX) recent.clear()
        recent.set(input, derived)
      }
    }
    return derived
  }
}
