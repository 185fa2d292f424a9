import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { describeJsonResponse, LoadOptionsError, LoadTargetError, runLoad, startLoad } from '../src/index.js'
import { closedPort, startTestServer, type TestServer } from './test-server.js'

let server: TestServer
before(async () => {
  server = await startTestServer()
})
after(async () => {
  await server.close()
})

describe('closed model', () => {
  it('sends exactly the requested count over at most N connections', async () => {
    const before = server.received
    const run = await runLoad({ url: `${server.url}/slow/20`, connections: 4, requests: 40 })
    assert.equal(run.records.length, 40)
    assert.equal(server.received - before, 40)
    assert.equal(run.summary.served, 40)
    assert.equal(run.model, 'closed')
    assert.ok(server.maxInFlight <= 4, `at most 4 concurrent, saw ${server.maxInFlight}`)
    // 40 requests of >= 20 ms over 4 workers take at least 10 rounds.
    assert.ok(run.durationMs >= 190, `took ${run.durationMs} ms`)
  })

  it('stops sending after the duration', async () => {
    const run = await runLoad({ url: `${server.url}/slow/10`, connections: 2, durationMs: 300 })
    assert.ok(run.records.length > 2, `${run.records.length} requests`)
    // each request takes >= 10 ms: 2 workers for 300 ms make at most ~60
    assert.ok(run.records.length <= 62, `${run.records.length} requests`)
    assert.ok(run.durationMs >= 300 && run.durationMs < 2000, `took ${run.durationMs} ms`)
  })

  it('stops early when its signal aborts', async () => {
    const handle = startLoad({ url: `${server.url}/slow/10`, connections: 2, durationMs: 30_000 })
    setTimeout(() => handle.stop(), 200)
    const run = await handle.done
    assert.ok(run.durationMs < 3000, `took ${run.durationMs} ms`)
  })
})

describe('open model', () => {
  it('sends at the rate: 20 requests at 100/s take about 190 ms', async () => {
    const run = await runLoad({ url: `${server.url}/ok`, rate: 100, requests: 20 })
    assert.equal(run.records.length, 20)
    assert.equal(run.model, 'open')
    assert.ok(run.durationMs >= 185, `took ${run.durationMs} ms`)
    // due times are exactly i / rate
    assert.deepEqual(
      run.records.map((r) => Math.round(r.startMs)),
      Array.from({ length: 20 }, (_, i) => i * 10),
    )
  })

  it('a duration bounds the count: 50/s for 1 s is 50 requests', async () => {
    const run = await runLoad({ url: `${server.url}/ok`, rate: 50, durationMs: 1000 })
    assert.equal(run.records.length, 50)
  })

  it('does not wait for slow answers (unlike the closed model)', async () => {
    const concurrentBefore = server.maxInFlight
    const run = await runLoad({ url: `${server.url}/slow/400`, rate: 40, durationMs: 500 })
    assert.equal(run.records.length, 20)
    // 20 requests 25 ms apart, each 400 ms long: about 16 overlap
    assert.ok(server.maxInFlight >= Math.max(10, concurrentBefore), `max in flight ${server.maxInFlight}`)
    // Waiting for each answer (the closed model, one at a time) would take 20 x 400 = 8000 ms;
    // sending on schedule takes ~900 ms. Half the closed model's time tells them apart on a
    // machine with two CPU burners (run20: 1812 ms against an earlier bound of 1500).
    assert.ok(run.durationMs < (20 * 400) / 2, `took ${run.durationMs} ms`)
  })
})

describe('timeline classification', () => {
  it('classifies every outcome: served, 4xx, 502, 503, 504, 5xx, reset, timeout', async () => {
    const paths = [
      '/ok',
      '/status/404',
      '/status/502',
      '/status/503',
      '/status/504',
      '/status/500',
      '/reset',
      '/hang',
    ]
    const run = await runLoad({
      url: `${server.url}/ok`,
      requests: paths.length,
      connections: 1,
      timeoutMs: 300,
      customize: (i) => ({ path: paths[i] ?? '/ok' }),
      describe: describeJsonResponse,
    })
    const byPath = Object.fromEntries(run.records.map((r, i) => [paths[i], r]))
    assert.equal(byPath['/ok']?.outcome, 'served')
    assert.equal(byPath['/ok']?.status, 200)
    assert.equal(byPath['/status/404']?.outcome, 'http_4xx')
    assert.equal(byPath['/status/404']?.detail, 'STATUS_404')
    assert.equal(byPath['/status/502']?.outcome, 'http_502')
    assert.equal(byPath['/status/503']?.outcome, 'http_503')
    assert.equal(byPath['/status/504']?.outcome, 'http_504')
    assert.equal(byPath['/status/500']?.outcome, 'http_5xx')
    assert.equal(byPath['/reset']?.outcome, 'conn_reset')
    assert.equal(byPath['/reset']?.status, null)
    assert.equal(byPath['/hang']?.outcome, 'timeout')
    assert.ok((byPath['/hang']?.latencyMs ?? 0) >= 290)
    assert.equal(run.summary.served, 1)
    assert.equal(run.summary.errorPercent, 87.5)
  })

  it('classifies connection refused', async () => {
    const port = await closedPort()
    const run = await runLoad({ url: `http://127.0.0.1:${port}/read`, requests: 3, connections: 1 })
    assert.deepEqual(
      run.records.map((r) => r.outcome),
      ['conn_refused', 'conn_refused', 'conn_refused'],
    )
    assert.match(run.records[0]?.detail ?? '', /ECONNREFUSED/)
    assert.equal(run.summary.outcomes.conn_refused, 3)
  })

  it('labels served requests with the body service field for the split', async () => {
    const run = await runLoad({
      url: `${server.url}/replica`,
      requests: 20,
      connections: 1,
      describe: describeJsonResponse,
    })
    assert.deepEqual(run.summary.labels, { FAST_REPLICA_1: 15, FAST_REPLICA_2: 5 })
  })
})

describe('retries', () => {
  const flaky = (
    failures: number,
    retries: number,
    delays: { baseDelayMs: number; maxDelayMs: number } = { baseDelayMs: 20, maxDelayMs: 40 },
  ) => {
    let id = 0
    const prefix = `${failures}-${retries}-${Math.random()}`
    return runLoad({
      url: `${server.url}/flaky/${failures}`,
      requests: 5,
      connections: 1,
      // one id per logical request: its retries keep it, as an Idempotency-Key would be kept
      customize: () => ({ headers: { 'x-request-id': `${prefix}-${id++}` } }),
      retry: { retries, ...delays },
    })
  }

  it('retries retryable failures until served', async () => {
    const run = await flaky(2, 3)
    assert.deepEqual(new Set(run.records.map((r) => r.outcome)), new Set(['served']))
    assert.ok(run.records.every((r) => r.attempts === 3))
    assert.equal(run.summary.attempts, 15)
    assert.equal(run.summary.retried, 5)
  })

  it('gives up after the retry budget and records the last failure', async () => {
    const run = await flaky(5, 2)
    assert.ok(run.records.every((r) => r.outcome === 'http_503' && r.attempts === 3))
  })

  it('waits at most the backoff caps between attempts', async () => {
    // Uncapped, full jitter from a 5 s base would wait 0-5 s then 0-10 s; the 20 ms cap keeps
    // both waits under 40 ms. A second of slack for a starved machine still tells them apart
    // (uncapped, all 5 requests under 1.04 s has a chance of about 1e-10).
    const run = await flaky(2, 2, { baseDelayMs: 5000, maxDelayMs: 20 })
    for (const record of run.records)
      assert.ok(record.latencyMs < 40 + 1000, `latency ${record.latencyMs} ms`)
  })

  it('does not retry what is not retryable (404)', async () => {
    const run = await runLoad({ url: `${server.url}/status/404`, requests: 2, retry: { retries: 3 } })
    assert.ok(run.records.every((r) => r.attempts === 1 && r.outcome === 'http_4xx'))
  })
})

describe('bounds and targets', () => {
  it('refuses a remote target without allowRemote, before any traffic', () => {
    assert.throws(() => startLoad({ url: 'http://192.0.2.10:8080/read', requests: 1 }), LoadTargetError)
    assert.throws(() => startLoad({ url: 'http://example.com/', requests: 1 }), /--allow-remote/)
  })

  it('accepts the loopback names', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.1.2.3']) {
      // port 1: nothing listens, so the one request fails fast without leaving this machine
      const run = await runLoad({ url: `http://${host}:1/`, requests: 1, timeoutMs: 2000 })
      assert.equal(run.records.length, 1)
      assert.notEqual(run.records[0]?.outcome, 'served')
    }
  })

  it('refuses an unbounded load and bad numbers', () => {
    assert.throws(() => startLoad({ url: `${server.url}/ok` }), LoadOptionsError)
    assert.throws(() => startLoad({ url: `${server.url}/ok`, requests: 0 }), /requests must be/)
    assert.throws(() => startLoad({ url: `${server.url}/ok`, requests: 1, rate: -1 }), /rate must be/)
  })
})
