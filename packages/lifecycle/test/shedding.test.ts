import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseMetrics, samplesOf, startTestService, type TestService } from './support/test-service.js'

const TOKEN = 'test-admin-token'
const SAMPLE_INTERVAL_MS = 10

/** Heap used is always above one byte: the service is under pressure once its warm-up has passed. */
const PRESSURE = {
  SHED_MAX_HEAP_USED_BYTES: '1',
  // Only the heap threshold: a busy test machine must not shed for event-loop delay instead.
  SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
  SHED_SAMPLE_INTERVAL_MS: String(SAMPLE_INTERVAL_MS),
  RETRY_AFTER_S: '7',
  ADMIN_TOKEN: TOKEN,
}

describe('load shedding', () => {
  let service: TestService

  before(async () => {
    service = await startTestService(
      (scope) => {
        scope.get('/work', async () => ({ done: true }))
      },
      { env: PRESSURE },
    )
    await sleep(2 * SAMPLE_INTERVAL_MS + 100)
  })
  after(() => service.close())

  test("the service's own routes get 503 OVERLOADED with Retry-After and the registry body", async () => {
    const response = await fetch(`${service.url}/work`)
    assert.equal(response.status, 503)
    assert.equal(response.headers.get('retry-after'), '7')
    const body = (await response.json()) as Record<string, string>
    assert.equal(body.error, 'OVERLOADED')
    assert.equal(body.message, 'Overloaded (heap_used); retry later')
    assert.equal(body.requestId, response.headers.get('x-request-id'))
  })

  test('probes, metrics and admin are outside the shedding scope', async () => {
    assert.equal((await fetch(`${service.url}/health`)).status, 200)
    assert.equal((await fetch(`${service.url}/health/live`)).status, 200)
    const admin = await fetch(`${service.url}/admin/faults`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    assert.equal(admin.status, 200)
    const metrics = await fetch(`${service.url}/metrics`)
    assert.equal(metrics.status, 200)
    const shed = samplesOf(parseMetrics(await metrics.text()), 'http_requests_shed_total', {
      reason: 'heap_used',
    })
    assert.ok((shed[0]?.value ?? 0) >= 1)
  })

  test('readiness reports the overload so a balancer can steer away', async () => {
    const ready = await fetch(`${service.url}/health/ready`)
    assert.equal(ready.status, 503)
    assert.equal(ready.headers.get('retry-after'), '7')
    assert.deepEqual(await ready.json(), {
      status: 'not_ready',
      service: 'TEST_SERVICE',
      reasons: ['overloaded'],
    })
  })

  test('samples taken before the service was ready measure the boot, not load: nothing is shed', async () => {
    const starting = await startTestService(
      (scope) => {
        scope.get('/work', async () => ({ done: true }))
      },
      {
        env: PRESSURE,
        listen: false,
      },
    )
    await sleep(2 * SAMPLE_INTERVAL_MS + 100)
    assert.equal((await starting.app.inject('/work')).statusCode, 200)
    await starting.close()
  })
})
