import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  formatMs,
  formatProgress,
  formatSplit,
  formatSummary,
  formatSummaryLine,
  type LoadSummary,
} from '../src/index.js'

const summary: LoadSummary = {
  requests: 1000,
  durationMs: 2310,
  throughputRps: 432.9,
  served: 990,
  errorPercent: 1,
  latencyMs: { min: 1.2, mean: 4.5, p50: 4.12, p90: 7.5, p95: 9.8, p99: 14.2, max: 120 },
  outcomes: { served: 990, http_502: 6, conn_refused: 4 },
  labels: { FAST_REPLICA_2: 247, FAST_REPLICA_1: 743 },
  attempts: 1012,
  retried: 10,
}

describe('text formatting', () => {
  it('formats durations with sensible precision', () => {
    assert.deepEqual([0.456, 4.123, 14.27, 120.4, 1234, 12_345].map(formatMs), [
      '0.46 ms',
      '4.12 ms',
      '14.3 ms',
      '120 ms',
      '1.23 s',
      '12.3 s',
    ])
  })

  it('prints the one-line summary with percentiles, rate and errors by class', () => {
    assert.equal(
      formatSummaryLine(summary),
      '1000 req in 2.31 s, 432.9 req/s, p50 4.12 ms p95 9.80 ms p99 14.2 ms, errors 1.00%: 502 6, conn refused 4',
    )
  })

  it('prints the full summary with split and retries', () => {
    assert.equal(
      formatSummary(summary),
      [
        'requests     1000 in 2.31 s (432.9 req/s)',
        'served       990',
        'latency      p50 4.12 ms  p90 7.50 ms  p95 9.80 ms  p99 14.2 ms  max 120 ms  (mean 4.50 ms)',
        'errors       1.00%: 502 6, conn refused 4',
        'retries      12 (10 requests retried)',
        'split        FAST_REPLICA_1 743 (75.1%), FAST_REPLICA_2 247 (24.9%)',
      ].join('\n'),
    )
  })

  it('sorts the split by label', () => {
    assert.equal(formatSplit({ b: 1, a: 3 }), 'a 3 (75.0%), b 1 (25.0%)')
  })

  it('prints a fixed-width progress line', () => {
    const line = formatProgress({
      elapsedMs: 1500,
      completed: 300,
      served: 297,
      failed: 3,
      inFlight: 4,
      currentRps: 200,
      p99Ms: 12.5,
    })
    assert.equal(line, '   1.5 s      300 done     200 req/s  p99   12.5 ms  in flight    4  errors 1.00%')
  })
})
