import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { startTestService, type TestService } from './support/test-service.js'

const TOKEN = 'test-admin-token'

describe('fault injection on /admin/faults', () => {
  let service: TestService
  let dependencyCalls = 0

  before(async () => {
    service = await startTestService(
      (scope, { breaker, faults }) => {
        const dependency = breaker('storage', async () => {
          if (faults.dependencyShouldFail()) throw new Error('storage failed (injected)')
          dependencyCalls++
          return 'stored'
        })
        scope.get('/work', async () => ({ result: await dependency.fire() }))
      },
      { env: { ADMIN_TOKEN: TOKEN, BREAKER_VOLUME_THRESHOLD: '1000' } },
    )
  })
  after(() => service.close())
  beforeEach(() => service.app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth() }))

  const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` })
  const put = (payload: unknown, headers: Record<string, string> = auth()) =>
    service.app.inject({ method: 'PUT', url: '/admin/faults', headers, payload: payload as string })

  test('needs the bearer token: 401 with the registry body otherwise', async () => {
    for (const headers of [{}, auth('wrong-token-value'), { authorization: TOKEN }]) {
      const response = await service.app.inject({ method: 'GET', url: '/admin/faults', headers })
      assert.equal(response.statusCode, 401)
      assert.equal(response.json().error, 'UNAUTHORIZED')
      assert.equal(typeof response.json().requestId, 'string')
    }
    assert.equal((await put({ errorRate: 1 }, {})).statusCode, 401)
    assert.equal((await service.app.inject('/work')).statusCode, 200, 'an unauthorized PUT changed nothing')
  })

  const invalid: Array<[string, unknown]> = [
    ['negative latency', { latencyMs: -1 }],
    ['latency over the maximum', { latencyMs: 10_000_000 }],
    ['fractional latency', { latencyMs: 1.5 }],
    ['error rate above 1', { errorRate: 1.5 }],
    ['a string for a number', { cpuMs: '100' }],
    ['an unknown field', { latency: 100 }],
    ['an empty object', {}],
    ['an array', [{ latencyMs: 1 }]],
    ['null', null],
    ['a zero event-loop block', { blockEventLoopMs: 0 }],
  ]
  for (const [what, payload] of invalid) {
    test(`refuses ${what} with 400 VALIDATION_FAILED and changes nothing`, async () => {
      const response = await put(payload)
      assert.equal(response.statusCode, 400, response.body)
      assert.equal(response.json().error, 'VALIDATION_FAILED')
      const active = (
        await service.app.inject({ method: 'GET', url: '/admin/faults', headers: auth() })
      ).json()
      assert.deepEqual(active, { latencyMs: 0, errorRate: 0, cpuMs: 0, dependencyFailureRate: 0 })
    })
  }

  test('refuses malformed JSON with 400 BAD_REQUEST', async () => {
    const response = await service.app.inject({
      method: 'PUT',
      url: '/admin/faults',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"latencyMs": ',
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'BAD_REQUEST')
  })

  test('error rate 1: every request of the service fails with 500 INJECTED_FAULT, probes and metrics never', async () => {
    const set = await put({ errorRate: 1 })
    assert.equal(set.statusCode, 200)
    assert.deepEqual(set.json(), { latencyMs: 0, errorRate: 1, cpuMs: 0, dependencyFailureRate: 0 })
    const faulted = await service.app.inject('/work')
    assert.equal(faulted.statusCode, 500)
    assert.equal(faulted.json().error, 'INJECTED_FAULT')
    for (const path of ['/health', '/health/live', '/health/ready', '/metrics']) {
      assert.equal((await service.app.inject(path)).statusCode, 200, path)
    }
    await service.app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth() })
    assert.equal((await service.app.inject('/work')).statusCode, 200)
  })

  test('latency and CPU work are added to each request until cleared', async () => {
    assert.equal((await put({ latencyMs: 300 })).statusCode, 200)
    assert.equal((await put({ cpuMs: 50 })).json().latencyMs, 300, 'a PUT merges into the active faults')
    let started = performance.now()
    const cpuBefore = process.cpuUsage()
    assert.equal((await service.app.inject('/work')).statusCode, 200)
    assert.ok(performance.now() - started >= 300, 'latency added')
    const cpu = process.cpuUsage(cpuBefore)
    assert.ok((cpu.user + cpu.system) / 1000 >= 50, 'CPU work added')
    started = performance.now()
    const cleared = await service.app.inject({ method: 'DELETE', url: '/admin/faults', headers: auth() })
    assert.deepEqual(cleared.json(), { latencyMs: 0, errorRate: 0, cpuMs: 0, dependencyFailureRate: 0 })
    started = performance.now()
    await service.app.inject('/work')
    assert.ok(performance.now() - started < 300)
  })

  test('dependency failure rate 1 makes the breaker-protected call fail with 503', async () => {
    const calls = dependencyCalls
    await put({ dependencyFailureRate: 1 })
    const response = await service.app.inject('/work')
    assert.equal(response.statusCode, 503)
    assert.equal(response.json().error, 'DEPENDENCY_UNAVAILABLE')
    assert.equal(response.json().message, 'storage failed: storage failed (injected)')
    assert.equal(dependencyCalls, calls)
  })

  test('blockEventLoopMs blocks the event loop once, after the answer is sent', async () => {
    const started = performance.now()
    const response = await fetch(`${service.url}/admin/faults`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ blockEventLoopMs: 300 }),
    })
    assert.equal(response.status, 200)
    assert.equal(((await response.json()) as { blockEventLoopMs: number }).blockEventLoopMs, 300)
    // The block starts 5 ms after the answer went out; this timer cannot fire before it ends.
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(performance.now() - started >= 300, 'the event loop was blocked')
    assert.equal(
      (await service.app.inject('/work')).statusCode,
      200,
      'a block is a one-off, not an active fault',
    )
  })

  test('without ADMIN_TOKEN there is no admin surface', async () => {
    const bare = await startTestService(
      (scope) => {
        scope.get('/work', async () => 'ok')
      },
      { listen: false },
    )
    assert.equal(
      (await bare.app.inject({ method: 'PUT', url: '/admin/faults', payload: { errorRate: 1 } })).statusCode,
      404,
    )
    await bare.close()
  })
})
