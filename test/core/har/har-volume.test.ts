import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importHar } from '../../../electron/core/har'
import { START_MS, generateHar } from './har-fixtures'
import { openTestStore, type TestStore } from './har-test-store'

let test: TestStore

beforeEach(() => {
  test = openTestStore()
})

afterEach(() => {
  test.close()
})

describe('importHar at volume', () => {
  it('imports a generated HAR of 100 000 entries, every one of them', async () => {
    const file = path.join(test.dir, 'generated.har')
    await generateHar(file, 100_000)

    const result = await importHar(test.store, file, { session: 'generated' })

    expect(result).toEqual({ session: 'generated', imported: 100_000, skipped: 0, problems: [] })
    expect(test.store.count({ session: 'generated' })).toBe(100_000)
    const [newest] = test.store.list({ session: 'generated', limit: 1 }).items
    expect(newest).toMatchObject({
      method: 'GET',
      url: 'https://api.example.com/items/99999',
      startedAt: START_MS + 999_990,
      origin: 'http://localhost:3000',
    })
  })
})
