/** The numbers of a finished run: throughput, latency percentiles, outcomes by class, the split by label. */
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js'
import type { OutcomeClass } from './outcome.js'
import type { RequestRecord } from './record.js'

export interface LoadSummary {
  requests: number
  /** milliseconds from the first request sent to the last answer */
  durationMs: number
  /** completed requests per second over the run */
  throughputRps: number
  served: number
  /** percent of requests not served (any class but "served") */
  errorPercent: number
  /** over every request, failed ones included */
  latencyMs: LatencySummary
  /** requests per outcome class */
  outcomes: Partial<Record<OutcomeClass, number>>
  /** requests per label (e.g. per replica), served ones only */
  labels: Record<string, number>
  /** attempts made in total; above `requests` when retries happened */
  attempts: number
  /** requests that needed more than one attempt */
  retried: number
}

export function summarize(records: readonly RequestRecord[], durationMs: number): LoadSummary {
  const histogram = new LatencyHistogram()
  const outcomes: Partial<Record<OutcomeClass, number>> = {}
  const labels: Record<string, number> = {}
  let attempts = 0
  let retried = 0
  for (const record of records) {
    histogram.record(record.latencyMs)
    outcomes[record.outcome] = (outcomes[record.outcome] ?? 0) + 1
    if (record.outcome === 'served' && record.label !== undefined)
      labels[record.label] = (labels[record.label] ?? 0) + 1
    attempts += record.attempts
    if (record.attempts > 1) retried++
  }
  const served = outcomes.served ?? 0
  const requests = records.length
  return {
    requests,
    durationMs,
    throughputRps: durationMs > 0 ? (requests * 1000) / durationMs : 0,
    served,
    errorPercent: requests > 0 ? ((requests - served) * 100) / requests : 0,
    latencyMs: histogram.summary(),
    outcomes,
    labels,
    attempts,
    retried,
  }
}
