/**
 * Real overload in a real writer process: an injected event-loop block pushes the measured
 * event-loop delay over SHED_MAX_EVENT_LOOP_DELAY_MS. While shedding, POST /write gets 503
 * OVERLOADED with Retry-After, and the probes, /metrics and /admin still answer, in the
 * same batch of requests.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { freshDataDir } from './support/data-dir.js'
import { type ServiceProcess, startService, WRITER } from './support/writer-process.js'

const TOKEN = 'shedding-admin-token'
const SAMPLE_INTERVAL_MS = 1000

describe('writer process under event-loop pressure', () => {
  let service: ServiceProcess | undefined
  after(() => service?.kill())

  test('sheds its own route, never probes, metrics or admin', async () => {
    service = await startService(WRITER, {
      ADMIN_TOKEN: TOKEN,
      WRITER_DATA_DIR: freshDataDir(),
      WRITE_DELAY_MS: '1',
      SHED_MAX_EVENT_LOOP_DELAY_MS: '10',
      SHED_SAMPLE_INTERVAL_MS: String(SAMPLE_INTERVAL_MS),
      RETRY_AFTER_S: '3',
      LOG_REQUESTS: 'false',
    })
    const url = service.url
    // Samples that overlap the boot are ignored; wait until they are behind us.
    await sleep(2 * SAMPLE_INTERVAL_MS + 200)
    const block = await request(`${url}/admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ blockEventLoopMs: 3000 }),
    })
    assert.equal(block.statusCode, 200)
    await block.body.dump()

    const call = async (path: string, method: 'GET' | 'POST' = 'GET') => {
      const headers = path.startsWith('/admin') ? { authorization: `Bearer ${TOKEN}` } : {}
      const response = await request(`${url}${path}`, { method, headers, reset: true })
      return {
        path,
        status: response.statusCode,
        headers: response.headers,
        body: await response.body.text(),
      }
    }
    const deadline = performance.now() + 15_000
    for (;;) {
      assert.ok(performance.now() < deadline, 'the writer never shed a request')
      const [write, ...exempt] = await Promise.all([
        call('/write', 'POST'),
        call('/health'),
        call('/health/live'),
        call('/metrics'),
        call('/admin/faults'),
      ])
      if (write?.status !== 503) {
        await sleep(50)
        continue
      }
      assert.equal(JSON.parse(write.body).error, 'OVERLOADED')
      assert.equal(JSON.parse(write.body).message, 'Overloaded (event_loop_delay); retry later')
      assert.equal(write.headers['retry-after'], '3')
      for (const answer of exempt)
        assert.equal(answer.status, 200, `${answer.path} answered ${answer.status}`)
      // Read after the batch: within it, /metrics may have been answered before /write was shed.
      const metrics = (await call('/metrics')).body
      assert.match(
        metrics,
        /^http_requests_shed_total\{reason="event_loop_delay",service="SLOW_PRIMARY"\} [1-9]/m,
      )
      break
    }
  })
})
