/**
 * A run's requests cut into time buckets for the charts: latency percentiles,
 * throughput and errors per second, each bucket holding the requests that finished in it.
 */
import { loadDefaults } from './defaults.js'
import { LatencyHistogram } from './latency-histogram.js'
import { OUTCOME_CLASSES, type OutcomeClass } from './outcome.js'
import type { RequestRecord } from './record.js'

export interface TimeSeries {
  /** milliseconds per bucket */
  bucketMs: number
  /** seconds from the run's start to each bucket's start */
  t: number[]
  /** milliseconds; null where no request finished */
  p50: Array<number | null>
  p95: Array<number | null>
  p99: Array<number | null>
  /** served requests per second */
  servedRps: number[]
  /** failed requests per second, per class that occurred in the run */
  errorRps: Partial<Record<OutcomeClass, number[]>>
}

const NICE_BUCKETS_MS = [100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000]

/** The smallest nice bucket width that cuts `durationMs` into at most `seriesMaxBuckets` buckets. */
export function bucketWidthMs(durationMs: number): number {
  const wanted = Math.max(loadDefaults.seriesMinBucketMs, durationMs / loadDefaults.seriesMaxBuckets)
  return NICE_BUCKETS_MS.find((width) => width >= wanted) ?? Math.ceil(wanted / 60_000) * 60_000
}

export function buildSeries(records: readonly RequestRecord[], durationMs: number): TimeSeries {
  const bucketMs = bucketWidthMs(durationMs)
  const buckets = Math.max(1, Math.ceil(durationMs / bucketMs))
  const histograms = Array.from({ length: buckets }, () => new LatencyHistogram())
  const perSecond = 1000 / bucketMs
  const servedRps = new Array<number>(buckets).fill(0)
  const errorRps: Partial<Record<OutcomeClass, number[]>> = {}
  for (const record of records) {
    const index = Math.min(
      buckets - 1,
      Math.max(0, Math.floor((record.startMs + record.latencyMs) / bucketMs)),
    )
    histograms[index]?.record(record.latencyMs)
    if (record.outcome === 'served') {
      servedRps[index] = (servedRps[index] ?? 0) + perSecond
    } else {
      const series = errorRps[record.outcome] ?? new Array<number>(buckets).fill(0)
      series[index] = (series[index] ?? 0) + perSecond
      errorRps[record.outcome] = series
    }
  }
  const percentile = (p: number) => histograms.map((h) => (h.count > 0 ? h.percentile(p) : null))
  return {
    bucketMs,
    t: Array.from({ length: buckets }, (_, i) => (i * bucketMs) / 1000),
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
    servedRps,
    // In the fixed class order, so charts colour classes the same way in every run.
    errorRps: Object.fromEntries(OUTCOME_CLASSES.filter((c) => errorRps[c]).map((c) => [c, errorRps[c]])),
  }
}
