import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type OutcomeClass, type RequestRecord, summarize, summarizeLatencies } from '../src/index.js'

function record(latencyMs: number, outcome: OutcomeClass = 'served', label?: string): RequestRecord {
  return {
    startMs: 0,
    latencyMs,
    outcome,
    status: outcome === 'served' ? 200 : null,
    attempts: 1,
    ...(label && { label }),
  }
}

/** within HdrHistogram's 3 significant digits */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.001 + 1e-9, `${actual} is not ~${expected}`)
}

describe('percentile summary', () => {
  it('matches known data: 1..100 ms', () => {
    const s = summarizeLatencies(Array.from({ length: 100 }, (_, i) => i + 1))
    near(s.min, 1)
    near(s.p50, 50)
    near(s.p90, 90)
    near(s.p95, 95)
    near(s.p99, 99)
    near(s.max, 100)
    near(s.mean, 50.5)
  })

  it('keeps sub-millisecond resolution (microseconds recorded)', () => {
    const s = summarizeLatencies([0.25, 0.5, 0.75, 1.5])
    near(s.p50, 0.5)
    near(s.max, 1.5)
  })

  it('a long tail shows in p99 and max only', () => {
    const values = [...Array.from({ length: 990 }, () => 5), ...Array.from({ length: 10 }, () => 5000)]
    const s = summarizeLatencies(values)
    near(s.p50, 5)
    near(s.p95, 5)
    near(s.p99, 5)
    near(s.max, 5000)
  })

  it('is all zeros for no data', () => {
    assert.deepEqual(summarizeLatencies([]), { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 })
  })
})

describe('run summary', () => {
  it('counts outcomes by class, error percent, throughput and the split of served requests', () => {
    const records = [
      ...Array.from({ length: 15 }, () => record(5, 'served', 'FAST_REPLICA_1')),
      ...Array.from({ length: 5 }, () => record(5, 'served', 'FAST_REPLICA_2')),
      record(1, 'http_502'),
      record(1, 'http_503'),
      record(1, 'http_503'),
      record(1, 'conn_refused'),
      // a failed request carrying a label does not count in the split
      record(1, 'http_503', 'FAST_REPLICA_2'),
    ]
    const s = summarize(records, 2000)
    assert.equal(s.requests, 25)
    assert.equal(s.served, 20)
    assert.equal(s.errorPercent, 20)
    assert.equal(s.throughputRps, 12.5)
    assert.deepEqual(s.outcomes, { served: 20, http_502: 1, http_503: 3, conn_refused: 1 })
    assert.deepEqual(s.labels, { FAST_REPLICA_1: 15, FAST_REPLICA_2: 5 })
    assert.equal(s.retried, 0)
  })

  it('counts attempts and retried requests', () => {
    const s = summarize([{ ...record(10), attempts: 3 }, record(10)], 100)
    assert.equal(s.attempts, 4)
    assert.equal(s.retried, 1)
  })
})
