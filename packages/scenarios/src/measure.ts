/** The numbers a check reports about a load run, in one shape for the checklist and the report. */
import {
  describeJsonResponse,
  formatSplit,
  type LoadHandle,
  type LoadRun,
  type LoadSummary,
  OUTCOME_LABELS,
  type OutcomeClass,
  type RequestRecord,
  runLoad,
  startLoad,
} from '@production-lab/load'
import { lbUrl } from './arrange.js'
import type { ScenarioContext } from './types.js'

/** Records whose start lies in [fromMs, toMs) on the run's clock (ms since the load started). */
export function startedBetween(records: RequestRecord[], fromMs: number, toMs: number): RequestRecord[] {
  return records.filter((r) => r.startMs >= fromMs && r.startMs < toMs)
}

/** p50/p95/p99 (ms), req/s, error % and request counts of a run. */
export function runNumbers(summary: LoadSummary, prefix = ''): Record<string, number> {
  const round = (value: number) => Math.round(value * 100) / 100
  return {
    [`${prefix}requests`]: summary.requests,
    [`${prefix}served`]: summary.served,
    [`${prefix}p50Ms`]: round(summary.latencyMs.p50),
    [`${prefix}p95Ms`]: round(summary.latencyMs.p95),
    [`${prefix}p99Ms`]: round(summary.latencyMs.p99),
    [`${prefix}rps`]: round(summary.throughputRps),
    [`${prefix}errorPercent`]: round(summary.errorPercent),
  }
}

/** "FAST_REPLICA_1 15 (75.0%), FAST_REPLICA_2 5 (25.0%)", or "no served requests" */
export function splitText(summary: LoadSummary): string {
  return Object.keys(summary.labels).length > 0 ? formatSplit(summary.labels) : 'no served requests'
}

/** Answers per replica (SERVICE_NAME) plus `failed` for the reads that were not served: judgeReadSplit's counts. */
export function splitCounts(summary: LoadSummary): Record<string, number> {
  const failed = summary.requests - summary.served
  return { ...summary.labels, ...(failed > 0 && { failed }) }
}

/** Counts of the outcome classes other than served, e.g. "502 x3, conn refused x1", or "none". */
export function failuresText(summary: LoadSummary): string {
  const parts = Object.entries(summary.outcomes)
    .filter(([outcome]) => outcome !== 'served')
    .map(([outcome, count]) => `${OUTCOME_LABELS[outcome as OutcomeClass]} x${count}`)
  return parts.length > 0 ? parts.join(', ') : 'none'
}

/**
 * `requests` requests through the load balancer, one after another or on `connections`
 * concurrent connections, recorded for the report.
 */
export async function lbRun(
  context: ScenarioContext,
  method: 'GET' | 'POST',
  path: string,
  requests: number,
  connections?: number,
): Promise<LoadRun> {
  const run = await runLoad({
    name:
      connections === undefined
        ? `${requests} sequential ${method} ${path}`
        : `${requests} ${method} ${path} at concurrency ${connections}`,
    url: lbUrl(context, path),
    ...(method === 'POST' && { method }),
    requests,
    ...(connections !== undefined && { connections }),
    describe: describeJsonResponse,
  })
  context.record(run)
  return run
}

/**
 * A load started before `act` and guaranteed stopped, awaited and recorded whatever `act`
 * does (its responses described as JSON, interrupted with the run).
 */
export async function underLoad(
  context: ScenarioContext,
  options: Parameters<typeof startLoad>[0],
  act: (load: LoadHandle) => Promise<void>,
): Promise<LoadRun> {
  const load = startLoad({ ...options, signal: context.signal, describe: describeJsonResponse })
  try {
    await act(load)
  } finally {
    load.stop()
    context.record(await load.done)
  }
  return load.done
}
