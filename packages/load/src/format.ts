/** Plain-text renderings of a run for terminals and logs. */

import type { LoadProgress } from './load-options.js'
import { OUTCOME_CLASSES, OUTCOME_LABELS } from './outcome.js'
import type { LoadSummary } from './summary.js'

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 100) return `${ms.toFixed(0)} ms`
  if (ms >= 10) return `${ms.toFixed(1)} ms`
  return `${ms.toFixed(2)} ms`
}

export function formatPercent(value: number): string {
  return `${value.toFixed(value === 0 || value >= 10 ? 1 : 2)}%`
}

/** "FAST_REPLICA_1 15 (75.0%), FAST_REPLICA_2 5 (25.0%)" */
export function formatSplit(labels: Record<string, number>): string {
  const total = Object.values(labels).reduce((sum, n) => sum + n, 0)
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, n]) => `${label} ${n} (${formatPercent((n * 100) / Math.max(1, total))})`)
    .join(', ')
}

/** "errors 2.0%: 502 3, conn refused 1" or "errors 0.0%" */
export function formatErrors(summary: LoadSummary): string {
  const parts = OUTCOME_CLASSES.filter((c) => c !== 'served' && (summary.outcomes[c] ?? 0) > 0).map(
    (c) => `${OUTCOME_LABELS[c]} ${summary.outcomes[c]}`,
  )
  return `errors ${formatPercent(summary.errorPercent)}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`
}

/** One line: "1000 req in 2.31 s, 432.9 req/s, p50 4.12 ms p95 9.80 ms p99 14.2 ms, errors 0.0%" */
export function formatSummaryLine(summary: LoadSummary): string {
  const l = summary.latencyMs
  return (
    `${summary.requests} req in ${formatMs(summary.durationMs)}, ${summary.throughputRps.toFixed(1)} req/s, ` +
    `p50 ${formatMs(l.p50)} p95 ${formatMs(l.p95)} p99 ${formatMs(l.p99)}, ${formatErrors(summary)}`
  )
}

/** The multi-line summary `lab load` prints at the end. */
export function formatSummary(summary: LoadSummary): string {
  const l = summary.latencyMs
  const lines = [
    `requests     ${summary.requests} in ${formatMs(summary.durationMs)} (${summary.throughputRps.toFixed(1)} req/s)`,
    `served       ${summary.served}`,
    `latency      p50 ${formatMs(l.p50)}  p90 ${formatMs(l.p90)}  p95 ${formatMs(l.p95)}  p99 ${formatMs(l.p99)}  max ${formatMs(l.max)}  (mean ${formatMs(l.mean)})`,
    `errors       ${formatErrors(summary).replace(/^errors /, '')}`,
  ]
  if (summary.retried > 0)
    lines.push(`retries      ${summary.attempts - summary.requests} (${summary.retried} requests retried)`)
  if (Object.keys(summary.labels).length > 0) lines.push(`split        ${formatSplit(summary.labels)}`)
  return lines.join('\n')
}

export function formatProgress(progress: LoadProgress): string {
  const errorPercent = progress.completed > 0 ? (progress.failed * 100) / progress.completed : 0
  return (
    `${(progress.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${String(progress.completed).padStart(7)} done  ` +
    `${progress.currentRps.toFixed(0).padStart(6)} req/s  p99 ${formatMs(progress.p99Ms).padStart(9)}  ` +
    `in flight ${String(progress.inFlight).padStart(4)}  errors ${formatPercent(errorPercent)}`
  )
}
