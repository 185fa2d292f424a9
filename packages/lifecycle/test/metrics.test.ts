import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { LATENCY_BUCKETS_S } from '../src/index.js'
import {
  parseMetrics,
  type Sample,
  samplesOf,
  startTestService,
  type TestService,
} from './support/test-service.js'

describe('GET /metrics', () => {
  let service: TestService
  let samples: Sample[]

  before(async () => {
    service = await startTestService(
      (scope, { breaker }) => {
        const dependency = breaker('inventory', async () => 'ok')
        scope.get('/items/:id', async () => ({ item: await dependency.fire() }))
      },
      { env: { CPU_LIMIT_CORES: '0.5', MEMORY_LIMIT_BYTES: '536870912', LOG_REQUESTS: 'true' } },
    )
    for (const id of ['1', '2', '3']) await fetch(`${service.url}/items/${id}`)
    await fetch(`${service.url}/no/such/path/${Math.random()}`)
    await fetch(`${service.url}/other/${Math.random()}`)
    const response = await fetch(`${service.url}/metrics`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    samples = parseMetrics(await response.text())
  })
  after(() => service.close())

  test('the request histogram has method, route template and status_code, and the lab buckets', () => {
    const buckets = samplesOf(samples, 'http_request_duration_seconds_bucket', {
      method: 'GET',
      route: '/items/:id',
      status_code: '200',
    })
    assert.deepEqual(
      buckets.map((sample) => sample.labels.le),
      [...LATENCY_BUCKETS_S.map(String), '+Inf'],
    )
    for (const bound of ['0.001', '0.005', '0.05', '0.1', '5', '10']) {
      assert.ok(
        buckets.some((sample) => sample.labels.le === bound),
        `bucket ${bound}`,
      )
    }
    assert.equal(buckets.at(-1)?.value, 3)
    const count = samplesOf(samples, 'http_request_duration_seconds_count', { route: '/items/:id' })
    assert.equal(count[0]?.value, 3)
  })

  test('unmatched URLs share one route label value', () => {
    const unmatched = samplesOf(samples, 'http_requests_total', { route: 'unmatched', status_code: '404' })
    assert.equal(unmatched.length, 1)
    assert.equal(unmatched[0]?.value, 2)
    assert.ok(!samples.some((sample) => sample.labels.route?.startsWith('/no/')))
  })

  test('requests total, in flight, lifecycle state, limits', () => {
    assert.equal(
      samplesOf(samples, 'http_requests_total', { route: '/items/:id', status_code: '200' })[0]?.value,
      3,
    )
    // The scrape that produced these samples was in flight itself.
    assert.equal(samplesOf(samples, 'http_requests_in_flight')[0]?.value, 1)
    const states = Object.fromEntries(
      samplesOf(samples, 'lifecycle_state').map((s) => [s.labels.state, s.value]),
    )
    assert.deepEqual(states, { starting: 0, ready: 1, draining: 0 })
    assert.equal(samplesOf(samples, 'service_cpu_limit_cores')[0]?.value, 0.5)
    assert.equal(samplesOf(samples, 'service_memory_limit_bytes')[0]?.value, 536870912)
  })

  test('breaker state is one-hot and its events are counted', () => {
    const states = Object.fromEntries(
      samplesOf(samples, 'circuit_breaker_state', { breaker: 'inventory' }).map((s) => [
        s.labels.state,
        s.value,
      ]),
    )
    assert.deepEqual(states, { closed: 1, half_open: 0, open: 0 })
    assert.equal(
      samplesOf(samples, 'circuit_breaker_events_total', { breaker: 'inventory', event: 'success' })[0]
        ?.value,
      3,
    )
  })

  test('default process and Node.js metrics are there', () => {
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(samplesOf(samples, name).length > 0, name)
    }
  })

  test('every series carries the service name', () => {
    assert.ok(samples.length > 50)
    const without = samples.filter((sample) => sample.labels.service !== 'TEST_SERVICE')
    assert.deepEqual(without, [])
  })

  test('one access line per request with route, status, duration and request id', () => {
    const lines = service.logs.filter((line) => line.message === 'request completed')
    const items = lines.filter((line) => line.route === '/items/:id')
    assert.equal(items.length, 3)
    for (const line of items) {
      assert.equal(line.level, 'INFO')
      assert.equal(line.service, 'TEST_SERVICE')
      assert.equal(line.statusCode, 200)
      assert.equal(typeof line.durationMs, 'number')
      assert.equal(typeof line.requestId, 'string')
    }
    assert.equal(new Set(items.map((line) => line.requestId)).size, 3)
  })
})
