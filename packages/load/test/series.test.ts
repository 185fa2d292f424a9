import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bucketWidthMs, buildSeries, type RequestRecord } from '../src/index.js'

describe('time series', () => {
  it('picks a nice bucket width for at most 120 buckets, never under 100 ms', () => {
    assert.equal(bucketWidthMs(500), 100)
    assert.equal(bucketWidthMs(12_000), 100)
    assert.equal(bucketWidthMs(20_000), 200)
    assert.equal(bucketWidthMs(60_000), 500)
    assert.equal(bucketWidthMs(600_000), 5000)
  })

  it('puts each request in the bucket where it finished, as rates per second', () => {
    const records: RequestRecord[] = [
      { startMs: 0, latencyMs: 50, outcome: 'served', status: 200, attempts: 1 },
      { startMs: 20, latencyMs: 50, outcome: 'served', status: 200, attempts: 1 },
      { startMs: 100, latencyMs: 150, outcome: 'http_503', status: 503, attempts: 1 },
      { startMs: 250, latencyMs: 10, outcome: 'served', status: 200, attempts: 1 },
    ]
    const s = buildSeries(records, 300)
    assert.equal(s.bucketMs, 100)
    assert.deepEqual(s.t, [0, 0.1, 0.2])
    assert.deepEqual(s.servedRps, [20, 0, 10])
    assert.deepEqual(s.errorRps, { http_503: [0, 0, 10] })
    assert.equal(s.p50[1], null)
    assert.ok(Math.abs((s.p99[2] ?? 0) - 150) < 0.2)
    assert.ok(Math.abs((s.p50[0] ?? 0) - 50) < 0.1)
  })
})
