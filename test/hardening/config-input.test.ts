import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig, limitFor } from '../../shared/config'
import { resolveConfig } from '../../shared/config-validate'
import { TollgateError } from '../../shared/errors'
import { callRaw, startControlled, type ControlledTollgate } from '../core/control/helpers'
import { send } from '../support/servers'

const base = defaultConfig('/tmp/never-opened.db')

/** Object.prototype's own properties and their values, to compare before and after. */
function prototypeSnapshot() {
  return Object.getOwnPropertyNames(Object.prototype).map((name) => [
    name,
    Object.getOwnPropertyDescriptor(Object.prototype, name)?.value,
  ])
}

function refusal(text: string): TollgateError {
  try {
    resolveConfig(JSON.parse(text), base)
  } catch (error) {
    return error as TollgateError
  }
  throw new Error(`${text} was accepted`)
}

describe('config keys that name prototype members', () => {
  it.each([
    ['{"__proto__":{"toString":1}}', '__proto__'],
    ['{"__proto__":{"valueOf":1}}', '__proto__'],
    ['{"constructor":{"name":"x"}}', 'constructor'],
    ['{"rateLimit":{"constructor":1}}', 'rateLimit.constructor'],
    ['{"cors":{"__proto__":{"allowCredentials":true}}}', 'cors.__proto__'],
  ])('refuses %s as an unknown field and leaves Object.prototype alone', (text, field) => {
    const before = prototypeSnapshot()

    const error = refusal(text)

    expect(error).toBeInstanceOf(TollgateError)
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(`${field}: unknown field`)
    expect(prototypeSnapshot()).toEqual(before)
  })

  it('keeps a per-key override for a key spelled __proto__ as an ordinary key', () => {
    const config = resolveConfig(
      JSON.parse('{"rateLimit":{"perKey":{"__proto__":{"limit":5},"sk_a":{"limit":7}}}}'),
      base,
    )

    expect(Object.keys(config.rateLimit.perKey).sort()).toEqual(['__proto__', 'sk_a'])
    expect(limitFor(config.rateLimit, '__proto__').limit).toBe(5)
    expect(limitFor(config.rateLimit, 'sk_a').limit).toBe(7)
    expect(limitFor(config.rateLimit, 'other').limit).toBe(base.rateLimit.limit)
  })
})

describe('config.update with a prototype key over the control API', () => {
  let started: Awaited<ReturnType<typeof startControlled>>
  let tollgate: ControlledTollgate

  beforeAll(async () => {
    started = await startControlled()
    tollgate = started.tollgate
  })

  afterAll(async () => {
    await started.stop()
  })

  it('answers 400 naming the field, keeps the config, and the proxy keeps serving', async () => {
    const before = JSON.stringify(tollgate.config())
    const change = JSON.parse('{"__proto__":{"toString":1},"rateLimit":{"limit":1}}')

    const { status, body } = await callRaw(tollgate.control.url, 'config.update', { change }, [
      'Authorization',
      `Bearer ${tollgate.control.token}`,
    ])
    const next = await send(tollgate.url, { path: '/still-fine' })

    expect(status).toBe(400)
    expect(body.error.message).toContain('__proto__: unknown field')
    expect(JSON.stringify(tollgate.config())).toBe(before)
    expect(typeof Object.prototype.toString).toBe('function')
    expect(next.status).toBe(200)
  })
})
