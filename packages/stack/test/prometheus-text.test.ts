/** The Prometheus text parser on the shapes the stack's services write. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { declaredMetricNames, metricValue, parseSamples, sumOf } from '../src/prometheus-text.js'

const EXPOSITION = `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total{service="SLOW_PRIMARY"} 1.234
process_cpu_seconds_total_extra{service="SLOW_PRIMARY"} 99
writer_writes_total{service="SLOW_PRIMARY"} 42
circuit_breaker_state{service="SLOW_PRIMARY",breaker="storage",state="closed"} 0
circuit_breaker_state{service="SLOW_PRIMARY",breaker="storage",state="open"} 1
circuit_breaker_events_total{service="SLOW_PRIMARY",breaker="storage",event="half_open"} 2
http_requests_total{service="SLOW_PRIMARY",method="POST",route="/write",status_code="200"} 10
http_requests_total{service="SLOW_PRIMARY",method="POST",route="/write",status_code="503"} 5
label_with_quote{service="a \\"b\\" c"} 7
`

describe('reading /metrics', () => {
  it('reads a sample by name, not by prefix', () => {
    assert.equal(metricValue(EXPOSITION, 'process_cpu_seconds_total'), 1.234)
    assert.equal(metricValue(EXPOSITION, 'writer_writes_total'), 42)
  })

  it('filters by labels and sums what matches', () => {
    assert.equal(metricValue(EXPOSITION, 'circuit_breaker_state', { breaker: 'storage', state: 'open' }), 1)
    assert.equal(metricValue(EXPOSITION, 'circuit_breaker_state', { state: 'closed' }), 0)
    assert.equal(metricValue(EXPOSITION, 'http_requests_total', { route: '/write' }), 15)
    assert.equal(metricValue(EXPOSITION, 'label_with_quote'), 7)
  })

  it('is undefined for a missing metric or label set', () => {
    assert.equal(metricValue(EXPOSITION, 'nope_total'), undefined)
    assert.equal(metricValue(EXPOSITION, 'circuit_breaker_state', { breaker: 'other' }), undefined)
  })
})

describe('samples and declared families', () => {
  it('parses every sample with its labels, and sums by a label subset', () => {
    const samples = parseSamples(EXPOSITION)
    assert.equal(samples.length, 9)
    assert.equal(sumOf(samples, 'http_requests_total', { status_code: '503' }), 5)
    assert.equal(sumOf(samples, 'nope_total'), 0)
  })

  it('lists the families a # TYPE line declares', () => {
    assert.deepEqual([...declaredMetricNames(EXPOSITION)], ['process_cpu_seconds_total'])
  })
})
