import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Type } from '@sinclair/typebox'
import { ConfigError, defaults, loadConfig, serviceConfigSchema } from '../src/index.js'

const schema = serviceConfigSchema(
  { WORK_MS: Type.Number({ minimum: 0, default: 5, description: 'work per request, ms' }) },
  { SERVICE_NAME: 'EXAMPLE', PORT: 7000 },
)

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env)
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error.problems
  }
  assert.fail('expected a ConfigError')
}

describe('loadConfig', () => {
  test('applies the service defaults and the package defaults', () => {
    const config = loadConfig(schema, {})
    assert.equal(config.SERVICE_NAME, 'EXAMPLE')
    assert.equal(config.PORT, 7000)
    assert.equal(config.HOST, defaults.host)
    assert.equal(config.GRACEFUL_SHUTDOWN_DELAY_S, 3)
    assert.equal(config.KEEP_ALIVE_TIMEOUT_S, defaults.keepAliveTimeoutS)
    assert.equal(config.LOG_REQUESTS, true)
    assert.equal(config.WORK_MS, 5)
    assert.equal(config.ADMIN_TOKEN, undefined)
  })

  test('coerces strings from the environment to the schema types; empty means unset', () => {
    const config = loadConfig(schema, {
      PORT: '7002',
      GRACEFUL_SHUTDOWN_DELAY_S: '0.5',
      LOG_REQUESTS: 'false',
      HOST: '',
    })
    assert.equal(config.PORT, 7002)
    assert.equal(config.GRACEFUL_SHUTDOWN_DELAY_S, 0.5)
    assert.equal(config.LOG_REQUESTS, false)
    assert.equal(config.HOST, defaults.host)
  })

  test('ignores variables outside the schema', () => {
    assert.equal(loadConfig(schema, { UNRELATED: 'x' }).PORT, 7000)
  })

  /** variable, bad value, what the line says is expected */
  const cases: Array<[string, string, string]> = [
    ['PORT', 'abc', 'an integer >= 0 <= 65535'],
    ['PORT', '70000', 'an integer >= 0 <= 65535'],
    ['PORT', '1.5', 'an integer'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['GRACEFUL_SHUTDOWN_DELAY_S', '-1', 'a number >= 0 <= 300'],
    ['SHUTDOWN_TIMEOUT_S', '0', 'a number > 0'],
    ['LOG_REQUESTS', 'maybe', 'true or false'],
    ['SERVICE_NAME', 'bad name', 'a string'],
    ['BREAKER_ERROR_THRESHOLD_PERCENT', '150', 'a number > 0 <= 100'],
    ['SHED_MAX_EVENT_LOOP_UTILIZATION', '2', 'a number >= 0 <= 1'],
    ['WORK_MS', 'slow', 'a number >= 0 (work per request, ms)'],
  ]
  for (const [name, value, expected] of cases) {
    const start = `${name}=${JSON.stringify(value)} is invalid: expected ${expected}`
    test(`${name}=${value}: one line naming the variable, the value and what is expected`, () => {
      const problems = problemsOf({ [name]: value })
      assert.equal(problems.length, 1, problems.join('\n'))
      assert.ok(problems[0]?.startsWith(start), `${problems[0]}\ndoes not start with\n${start}`)
    })
  }

  test('every bad variable gets its own line', () => {
    const problems = problemsOf({ PORT: '-1', LOG_LEVEL: 'x', RETRY_AFTER_S: 'soon' })
    assert.deepEqual(problems.map((line) => line.split('=')[0]).sort(), [
      'LOG_LEVEL',
      'PORT',
      'RETRY_AFTER_S',
    ])
  })

  test('a secret is never echoed', () => {
    const [problem] = problemsOf({ ADMIN_TOKEN: 'short' })
    assert.match(
      problem ?? '',
      /^ADMIN_TOKEN=\(5 characters, hidden\) is invalid: expected a string at least 8 characters/,
    )
    assert.ok(!problem?.includes('short'))
  })

  test('a secret can come from the file <NAME>_FILE names; the variable itself wins; an unreadable file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifecycle-secret-'))
    try {
      const file = join(dir, 'admin-token')
      writeFileSync(file, 'from-the-file-1234\n', { mode: 0o400 })
      assert.equal(loadConfig(schema, { ADMIN_TOKEN_FILE: file }).ADMIN_TOKEN, 'from-the-file-1234')
      assert.equal(
        loadConfig(schema, { ADMIN_TOKEN_FILE: file, ADMIN_TOKEN: 'from-the-env-5678' }).ADMIN_TOKEN,
        'from-the-env-5678',
      )
      const missing = join(dir, 'absent')
      assert.deepEqual(problemsOf({ ADMIN_TOKEN_FILE: missing }), [
        `ADMIN_TOKEN_FILE=${JSON.stringify(missing)} cannot be read: ENOENT`,
      ])
      writeFileSync(file, 'short\n')
      const [problem] = problemsOf({ ADMIN_TOKEN_FILE: file })
      assert.match(problem ?? '', /^ADMIN_TOKEN=\(5 characters, hidden\) is invalid/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('SHUTDOWN_TIMEOUT_S must leave room for GRACEFUL_SHUTDOWN_DELAY_S', () => {
    const problems = problemsOf({ GRACEFUL_SHUTDOWN_DELAY_S: '10', SHUTDOWN_TIMEOUT_S: '5' })
    assert.deepEqual(problems, [
      'SHUTDOWN_TIMEOUT_S="5" is invalid: expected a number > GRACEFUL_SHUTDOWN_DELAY_S (10), or the drain could never finish',
    ])
  })

  test('a delay above the default timeout names the default', () => {
    assert.deepEqual(problemsOf({ GRACEFUL_SHUTDOWN_DELAY_S: '20' }), [
      'SHUTDOWN_TIMEOUT_S=15 (the default) is invalid: expected a number > GRACEFUL_SHUTDOWN_DELAY_S (20), or the drain could never finish',
    ])
  })

  test('a required variable without a default is reported as missing', () => {
    const strict = Type.Object({ DATABASE_URL: Type.String({ minLength: 1 }) })
    assert.throws(
      () => loadConfig(strict, {}),
      (error: ConfigError) => {
        assert.deepEqual(error.problems, ['DATABASE_URL is required: expected a string'])
        return true
      },
    )
  })
})
