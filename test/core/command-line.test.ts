import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseCommandLine, UsageError } from '../../electron/core/command-line'
import { tempDir } from '../support/servers'

const temps: { remove(): void }[] = []
afterEach(() => temps.splice(0).forEach((temp) => temp.remove()))

describe('parseCommandLine', () => {
  it('turns flags into config options', () => {
    const { options } = parseCommandLine([
      '--port',
      '0',
      '--upstream',
      'http://127.0.0.1:9000',
      '--allow-origin',
      'http://localhost:5173',
      '--allow-origin',
      'https://app.example.com',
      '--limit',
      '5',
      '--window',
      '10s',
      '--db',
      ':memory:',
    ])

    expect(options).toEqual({
      listen: { port: 0 },
      upstream: 'http://127.0.0.1:9000',
      cors: { allowedOrigins: ['http://localhost:5173', 'https://app.example.com'] },
      rateLimit: { limit: 5, windowMs: 10_000 },
      db: ':memory:',
    })
  })

  it('lets flags override the config file and resolves its db path next to it', () => {
    const temp = tempDir()
    temps.push(temp)
    const file = path.join(temp.dir, 'tollgate.json')
    fs.writeFileSync(
      file,
      JSON.stringify({ rateLimit: { limit: 9, windowMs: 1000 }, db: 'log.db' }),
    )

    const { options } = parseCommandLine(['--config', file, '--limit', '3'])

    expect(options.rateLimit).toEqual({ limit: 3, windowMs: 1000 })
    expect(options.db).toBe(path.join(temp.dir, 'log.db'))
  })

  it('refuses a bad value naming the flag and the value', () => {
    expect(() => parseCommandLine(['--limit', 'lots'])).toThrow(UsageError)
    expect(() => parseCommandLine(['--limit', 'lots'])).toThrow(
      '--limit takes a whole number, got "lots"',
    )
    expect(() => parseCommandLine(['--window', 'soon'])).toThrow('"soon"')
    expect(() => parseCommandLine(['--colour'])).toThrow('--help')
  })

  it('reads --demo and --no-demo, and leaves the default to the entry when neither is given', () => {
    expect(parseCommandLine(['--demo']).demo).toBe(true)
    expect(parseCommandLine(['--no-demo']).demo).toBe(false)
    expect(parseCommandLine([]).demo).toBeUndefined()
  })

  it('refuses a config file that is not JSON, naming the file', () => {
    const temp = tempDir()
    temps.push(temp)
    const file = path.join(temp.dir, 'broken.json')
    fs.writeFileSync(file, '{ "rateLimit": ')

    expect(() => parseCommandLine(['--config', file])).toThrow(file)
  })

  it.each(['null', '"hello"', '42', 'true', '[]', '[1, 2]'])(
    'refuses a config file holding %s, which is JSON but not an object',
    (text) => {
      const temp = tempDir()
      temps.push(temp)
      const file = path.join(temp.dir, 'not-an-object.json')
      fs.writeFileSync(file, text)

      const read = () => parseCommandLine(['--config', file, '--port', '0'])
      expect(read).toThrow(UsageError)
      expect(read).toThrow(`${file} holds ${JSON.stringify(JSON.parse(text))}, not a JSON object`)
    },
  )
})
