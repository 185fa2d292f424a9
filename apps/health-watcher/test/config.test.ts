import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError } from '@production-lab/lifecycle'
import { loadWatcherConfig } from '../src/config.js'

function problems(env: Record<string, string>): string[] {
  try {
    loadWatcherConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(env)}`)
}

describe('watcher configuration', () => {
  test('defaults: native adapter, the topology apps but the watcher itself, the documented numbers', () => {
    const config = loadWatcherConfig({})
    assert.equal(config.SERVICE_NAME, 'HEALTH_WATCHER')
    assert.equal(config.WATCHER_ADAPTER, 'native')
    assert.equal(config.GRACEFUL_SHUTDOWN_DELAY_S, 0)
    assert.deepEqual(
      config.targets.map((t) => t.name),
      ['app_slow', 'app_fast_1', 'app_fast_2'],
    )
    assert.match(config.targets[1]?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.deepEqual(
      [config.PROBE_INTERVAL_MS, config.PROBE_TIMEOUT_MS, config.RISE, config.FALL, config.RESTART_BUDGET],
      [1000, 4000, 2, 3, 3],
    )
  })

  test('WATCH_TARGETS: parsed, trailing slash dropped; duplicates and bad entries named', () => {
    const config = loadWatcherConfig({
      WATCH_TARGETS: '[{"name":"app_fast_1","url":"http://127.0.0.1:7002/"}]',
    })
    assert.deepEqual(config.targets, [{ name: 'app_fast_1', url: 'http://127.0.0.1:7002' }])
    const twice = '[{"name":"a","url":"http://x:1"},{"name":"a","url":"http://y:1"}]'
    assert.match(
      problems({ WATCH_TARGETS: twice })[0] ?? '',
      /WATCH_TARGETS=.* is invalid: entry 1: "a" is listed twice/,
    )
    assert.match(problems({ WATCH_TARGETS: '{}' })[0] ?? '', /expected a non-empty array/)
    assert.match(problems({ WATCH_TARGETS: '[' })[0] ?? '', /not JSON/)
    assert.match(
      problems({ WATCH_TARGETS: '[{"name":"bad name","url":"http://x:1"}]' })[0] ?? '',
      /"name" must match/,
    )
  })

  test('cross-field: BACKOFF_MAX_MS below BACKOFF_BASE_MS is refused, together with a bad WATCH_TARGETS', () => {
    const lines = problems({ BACKOFF_BASE_MS: '5000', BACKOFF_MAX_MS: '1000', WATCH_TARGETS: '[]' })
    assert.equal(lines.length, 2)
    assert.match(
      lines[0] ?? '',
      /^BACKOFF_MAX_MS="1000" is invalid: expected a number >= BACKOFF_BASE_MS \(5000\)/,
    )
    assert.match(lines[1] ?? '', /^WATCH_TARGETS=/)
  })
})
