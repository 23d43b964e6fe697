/** Random numbers for generated workloads, the same sequence on every run of a given seed. */

/** Returns a function giving numbers in [0, 1), from a linear congruential generator. */
export function createRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    return state / 2 ** 32
  }
}
