/**
 * Latency percentiles from an HdrHistogram (hdr-histogram-js): values are recorded in
 * microseconds with 3 significant digits, so every percentile is within 0.1 % of the
 * true value, and read back in milliseconds.
 */
import * as hdr from 'hdr-histogram-js'

export interface LatencySummary {
  /** milliseconds, as every field */
  min: number
  mean: number
  p50: number
  p90: number
  p95: number
  p99: number
  max: number
}

const MICROS_PER_MS = 1000

export class LatencyHistogram {
  readonly #histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  })

  get count(): number {
    return this.#histogram.totalCount
  }

  record(latencyMs: number): void {
    this.#histogram.recordValue(Math.max(1, Math.round(latencyMs * MICROS_PER_MS)))
  }

  /** milliseconds at `percentile` (0..100); 0 when nothing was recorded */
  percentile(percentile: number): number {
    if (this.count === 0) return 0
    return this.#histogram.getValueAtPercentile(percentile) / MICROS_PER_MS
  }

  summary(): LatencySummary {
    if (this.count === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 }
    const h = this.#histogram
    return {
      min: h.minNonZeroValue / MICROS_PER_MS,
      mean: h.mean / MICROS_PER_MS,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: h.maxValue / MICROS_PER_MS,
    }
  }

  reset(): void {
    this.#histogram.reset()
  }
}

/** The percentile summary of a list of latencies in milliseconds. */
export function summarizeLatencies(latenciesMs: Iterable<number>): LatencySummary {
  const histogram = new LatencyHistogram()
  for (const value of latenciesMs) histogram.record(value)
  return histogram.summary()
}
