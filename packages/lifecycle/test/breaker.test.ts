import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseMetrics, samplesOf, startTestService, type TestService } from './support/test-service.js'

const RESET_TIMEOUT_MS = 400

describe('circuit breaker', () => {
  let service: TestService
  const dependency = { failing: false, slowMs: 0, calls: 0 }

  before(async () => {
    service = await startTestService(
      (scope, { breaker }) => {
        const stock = breaker(
          'stock',
          async () => {
            dependency.calls++
            if (dependency.slowMs > 0) await sleep(dependency.slowMs)
            if (dependency.failing) throw new Error('stock service refused the connection')
            return 42
          },
          { required: true },
        )
        scope.get('/stock', async () => ({ stock: await stock.fire() }))
      },
      {
        env: {
          BREAKER_VOLUME_THRESHOLD: '2',
          BREAKER_ERROR_THRESHOLD_PERCENT: '50',
          BREAKER_RESET_TIMEOUT_MS: String(RESET_TIMEOUT_MS),
          BREAKER_TIMEOUT_MS: '300',
        },
      },
    )
  })
  after(() => service.close())

  const get = (path: string) => service.app.inject({ method: 'GET', url: path })
  async function breakerState(): Promise<Record<string, number>> {
    const samples = parseMetrics((await get('/metrics')).body)
    return Object.fromEntries(
      samplesOf(samples, 'circuit_breaker_state', { breaker: 'stock' }).map((s) => [s.labels.state, s.value]),
    )
  }
  const transitions = () =>
    service.logs
      .map((line) => String(line.message))
      .filter((message) => message.startsWith('Circuit breaker stock'))

  test('closed -> open -> half_open -> closed, failing fast while open', async () => {
    assert.equal((await get('/stock')).statusCode, 200)
    assert.deepEqual(await breakerState(), { closed: 1, half_open: 0, open: 0 })

    dependency.failing = true
    const failed = await get('/stock')
    assert.equal(failed.statusCode, 503)
    assert.equal(failed.json().error, 'DEPENDENCY_UNAVAILABLE')
    assert.match(failed.json().message, /^stock failed: stock service refused the connection$/)
    assert.equal(failed.headers['retry-after'], '1')

    // The second failure reaches the volume threshold with 2/3 failed: the breaker opens.
    assert.equal((await get('/stock')).statusCode, 503)
    assert.deepEqual(await breakerState(), { closed: 0, half_open: 0, open: 1 })
    const callsWhenOpened = dependency.calls

    const fastFail = await get('/stock')
    assert.equal(fastFail.statusCode, 503)
    assert.deepEqual(Object.keys(fastFail.json()).sort(), ['error', 'message', 'requestId'])
    assert.equal(fastFail.json().error, 'DEPENDENCY_UNAVAILABLE')
    assert.equal(fastFail.json().message, 'stock is unavailable: circuit open')
    assert.equal(fastFail.headers['retry-after'], '1')
    assert.equal(dependency.calls, callsWhenOpened, 'an open breaker does not call the dependency')

    const ready = await get('/health/ready')
    assert.equal(ready.statusCode, 503)
    assert.deepEqual(ready.json().reasons, ['dependency stock unavailable'])
    assert.equal(
      (await get('/health')).statusCode,
      200,
      'the guide probe stays up: the process itself is fine',
    )

    await sleep(RESET_TIMEOUT_MS + 100)
    assert.deepEqual(await breakerState(), { closed: 0, half_open: 1, open: 0 })

    dependency.failing = false
    assert.equal((await get('/stock')).statusCode, 200, 'the half-open trial call goes through')
    assert.deepEqual(await breakerState(), { closed: 1, half_open: 0, open: 0 })
    assert.equal((await get('/health/ready')).statusCode, 200)
    assert.deepEqual(
      transitions().map((message) => message.split(':')[0]),
      ['Circuit breaker stock OPEN', 'Circuit breaker stock HALF_OPEN', 'Circuit breaker stock CLOSED'],
    )
    const events = samplesOf(parseMetrics((await get('/metrics')).body), 'circuit_breaker_events_total', {
      breaker: 'stock',
    })
    const count = (event: string) => events.find((sample) => sample.labels.event === event)?.value
    assert.equal(count('open'), 1)
    assert.equal(count('half_open'), 1)
    assert.equal(count('close'), 1)
    assert.equal(count('reject'), 1)
    assert.equal(count('failure'), 2)
  })

  test('a failed half-open trial opens the breaker again; a slow call counts as a failure', async () => {
    dependency.slowMs = 1000
    const slow = await get('/stock')
    assert.equal(slow.statusCode, 503)
    assert.equal(slow.json().message, 'stock failed: timed out after 300 ms')
    assert.equal((await get('/stock')).statusCode, 503)
    assert.deepEqual(await breakerState(), { closed: 0, half_open: 0, open: 1 })
    dependency.slowMs = 0

    await sleep(RESET_TIMEOUT_MS + 100)
    dependency.failing = true
    assert.equal((await get('/stock')).statusCode, 503)
    assert.deepEqual(await breakerState(), { closed: 0, half_open: 0, open: 1 })
    dependency.failing = false
  })
})
