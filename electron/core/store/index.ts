/**
 * The traffic log: every exchange the proxy answers, in one SQLite file.
 */

export { openStore } from './open-store'
export { MIGRATIONS, hashMigration, type Migration } from './migrations'
export { DEFAULT_LIMIT, MAX_LIMIT } from './queries'
export type * from './types'
