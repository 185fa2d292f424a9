/**
 * The admission bounds (admission.ts): past SHED_MAX_IN_FLIGHT requests in flight, or a
 * request that waited longer than SHED_MAX_QUEUE_MS since the proxy stamped it, is answered
 * 503 OVERLOADED at once; the others are served. Deterministic: the in-flight requests are
 * held open by the test, not by timing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { requestStartMs } from '../src/admission.js'
import { parseMetrics, samplesOf, startTestService, type TestService } from './support/test-service.js'

const MAX_IN_FLIGHT = 2
const MAX_QUEUE_MS = 1000

/** A gate the held requests wait on, and how many are waiting. */
function gate() {
  let open: () => void = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open, waiting: 0 }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function shedCount(service: TestService, reason: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text()
  return samplesOf(parseMetrics(text), 'http_requests_shed_total', { reason })[0]?.value ?? Number.NaN
}

describe('admission bounds', () => {
  let service: TestService
  let held = gate()

  before(async () => {
    service = await startTestService(
      (scope) => {
        scope.get('/hold', async () => {
          held.waiting++
          await held.opened
          return { held: true }
        })
        scope.get('/work', async () => ({ done: true }))
      },
      {
        env: {
          SHED_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
          SHED_MAX_QUEUE_MS: String(MAX_QUEUE_MS),
          // Only the bounds under test: a busy machine must not shed for event-loop delay.
          SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
          RETRY_AFTER_S: '3',
        },
      },
    )
  })
  after(() => service.close())

  test('past SHED_MAX_IN_FLIGHT a request gets 503 OVERLOADED (in_flight) at once; the held ones are served', async () => {
    held = gate()
    const holding = [fetch(`${service.url}/hold`), fetch(`${service.url}/hold`)]
    try {
      await waitFor(
        `${MAX_IN_FLIGHT} requests held (saw ${held.waiting})`,
        () => held.waiting === MAX_IN_FLIGHT,
      )
      const refused = await fetch(`${service.url}/work`)
      assert.equal(refused.status, 503)
      assert.equal(refused.headers.get('retry-after'), '3')
      const body = (await refused.json()) as Record<string, string>
      assert.equal(body.error, 'OVERLOADED')
      assert.equal(body.message, 'Overloaded (in_flight); retry later')
      // Probes are outside the scope: they answer while it is full.
      assert.equal((await fetch(`${service.url}/health/live`)).status, 200)
      assert.equal(await shedCount(service, 'in_flight'), 1)
    } finally {
      held.open()
    }
    for (const response of await Promise.all(holding)) assert.equal(response.status, 200)
    // Once they are answered, there is room again.
    await waitFor('the held requests to leave', () => service.service.state.inFlightCount === 0)
    assert.equal((await fetch(`${service.url}/work`)).status, 200)
  })

  test('a request the proxy stamped longer ago than SHED_MAX_QUEUE_MS gets 503 OVERLOADED (queue_time)', async () => {
    const stale = (Date.now() - 10 * MAX_QUEUE_MS) / 1000
    const refused = await fetch(`${service.url}/work`, {
      headers: { 'x-request-start': `t=${stale.toFixed(3)}` },
    })
    assert.equal(refused.status, 503)
    assert.equal(
      ((await refused.json()) as Record<string, string>).message,
      'Overloaded (queue_time); retry later',
    )
    assert.equal(await shedCount(service, 'queue_time'), 1)
    const fresh = (Date.now() / 1000).toFixed(3)
    assert.equal(
      (await fetch(`${service.url}/work`, { headers: { 'x-request-start': `t=${fresh}` } })).status,
      200,
    )
    // Without the stamp (a direct client) there is nothing to measure: served.
    assert.equal((await fetch(`${service.url}/work`)).status, 200)
  })

  test('X-Request-Start in seconds (nginx $msec) or milliseconds, with or without t=', () => {
    assert.equal(requestStartMs('t=1733230000.123'), 1733230000123)
    assert.equal(requestStartMs('1733230000123'), 1733230000123)
    assert.equal(requestStartMs('t=1733230000123'), 1733230000123)
    for (const bad of ['t=', 'soon', '-5', undefined, ['t=1']])
      assert.ok(Number.isNaN(requestStartMs(bad)), String(bad))
  })
})
