import { describe, expect, it } from 'vitest'
import { readSelectionParams } from '../../../electron/core/replay/selection-params'
import { TollgateError } from '../../../shared/errors'

describe('readSelectionParams', () => {
  it('takes the filter fields it knows', () => {
    expect(
      readSelectionParams({ filter: { status: 429, session: 'checkout' } }, 'replay.start'),
    ).toEqual({ filter: { status: 429, session: 'checkout' } })
  })

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'refuses %s, which every object has but no filter knows',
    (field) => {
      const filter = JSON.parse(`{${JSON.stringify(field)}: 1}`) as unknown

      const read = () => readSelectionParams({ filter }, 'replay.start')

      expect(read).toThrow(TollgateError)
      expect(read).toThrow(`filter.${field} is not a filter field`)
    },
  )
})
