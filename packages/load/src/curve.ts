/**
 * The latency/throughput curve: an open-model sweep (constant arrival rate per step; latency
 * counts from when each request was due, so a stalled server cannot hide its queue: no
 * coordinated omission) from low to past saturation, per target. Per step: offered and
 * achieved (served) throughput, latency percentiles of all answers and of the served ones,
 * errors by class, and the mean number in flight by Little's law (L = X * W).
 *
 *   knee             the first step where the target stops keeping up: served throughput
 *                    below `kneeServedShare` of the offered load, or p50 above
 *                    `kneeLatencyFactor` times the lowest step's p50
 *   Little's bound   with at most N connections in flight, throughput <= N / W0, W0 the
 *                    unloaded latency (p50 of the lowest step; its mean carries the shared
 *                    machine's hiccups): where the curve flattens at that line, the load
 *                    generator's connections, not the server, are the limit
 */
import type { ChartPageDocument, ChartPageSection, ChartSpec } from './chart-page.js'
import { LatencyHistogram } from './latency-histogram.js'
import type { OutcomeClass } from './outcome.js'
import type { RequestRecord } from './record.js'
import { OUTCOME_COLORS, PERCENTILE_COLORS } from './report-client.js'
import { runLoad } from './runner.js'

export const curveDefaults = {
  /** requests per second of each step, low to past a 2-core machine's saturation of /read */
  ratesRps: [50, 100, 200, 400, 800, 1200, 1600, 2400, 3200],
  /** milliseconds of load per step */
  stepDurationMs: 3000,
  /** milliseconds between steps (lets queues drain so a step does not inherit the last one's) */
  pauseMs: 500,
  /** sockets at most per target (the open model's pool) */
  connections: 256,
  /** milliseconds per request */
  timeoutMs: 10_000,
  /** served / offered below this is past the knee */
  kneeServedShare: 0.9,
  /** p50 above this many times the lowest step's p50 is past the knee */
  kneeLatencyFactor: 3,
} as const

export interface CurveTarget {
  /** e.g. "/read through nginx" */
  name: string
  url: string
  method?: string
  body?: string
  headers?: Record<string, string>
}

export interface CurveStep {
  offeredRps: number
  requests: number
  served: number
  /** served answers per second over the step */
  achievedRps: number
  errors: Partial<Record<OutcomeClass, number>>
  errorPercent: number
  /** milliseconds, every answer (errors included) */
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number }
  /** milliseconds, served answers only */
  servedLatencyMs: { p50: number; p95: number; p99: number; max: number }
  /** mean requests in flight: answers per second x mean latency (Little's law) */
  inFlightMean: number
}

export interface CurveResult {
  target: CurveTarget
  connections: number
  stepDurationMs: number
  steps: CurveStep[]
  /** offered req/s of the first step past the knee; null when every step kept up */
  kneeRps: number | null
  /** req/s: connections / p50 latency of the lowest step */
  littleBoundRps: number | null
}

export interface CurveOptions {
  targets: CurveTarget[]
  ratesRps?: readonly number[]
  stepDurationMs?: number
  pauseMs?: number
  connections?: number
  timeoutMs?: number
  allowRemote?: boolean
  signal?: AbortSignal
  onStep?: (target: CurveTarget, step: CurveStep) => void
}

function percentiles(records: readonly RequestRecord[]) {
  const histogram = new LatencyHistogram()
  for (const record of records) histogram.record(record.latencyMs)
  return histogram.summary()
}

export function summariseStep(
  offeredRps: number,
  records: readonly RequestRecord[],
  durationMs: number,
): CurveStep {
  const served = records.filter((r) => r.outcome === 'served')
  const errors: Partial<Record<OutcomeClass, number>> = {}
  for (const record of records)
    if (record.outcome !== 'served') errors[record.outcome] = (errors[record.outcome] ?? 0) + 1
  const all = percentiles(records)
  const ok = percentiles(served)
  const seconds = durationMs / 1000
  return {
    offeredRps,
    requests: records.length,
    served: served.length,
    achievedRps: served.length / seconds,
    errors,
    errorPercent: records.length === 0 ? 0 : (100 * (records.length - served.length)) / records.length,
    latencyMs: { mean: all.mean, p50: all.p50, p95: all.p95, p99: all.p99, max: all.max },
    servedLatencyMs: { p50: ok.p50, p95: ok.p95, p99: ok.p99, max: ok.max },
    inFlightMean: (records.length / seconds) * (all.mean / 1000),
  }
}

/** The knee and Little's bound of a finished sweep (see the file comment). */
export function analyseCurve(steps: readonly CurveStep[], connections: number) {
  const first = steps[0]
  if (!first) return { kneeRps: null, littleBoundRps: null }
  const knee = steps.find(
    (step) =>
      step.achievedRps < curveDefaults.kneeServedShare * step.offeredRps ||
      step.latencyMs.p50 > curveDefaults.kneeLatencyFactor * Math.max(first.latencyMs.p50, 0.001),
  )
  return {
    kneeRps: knee?.offeredRps ?? null,
    littleBoundRps: first.latencyMs.p50 > 0 ? connections / (first.latencyMs.p50 / 1000) : null,
  }
}

export async function runCurve(options: CurveOptions): Promise<CurveResult[]> {
  const rates = options.ratesRps ?? curveDefaults.ratesRps
  const stepDurationMs = options.stepDurationMs ?? curveDefaults.stepDurationMs
  const connections = options.connections ?? curveDefaults.connections
  const results: CurveResult[] = []
  for (const target of options.targets) {
    const steps: CurveStep[] = []
    for (const rate of rates) {
      if (options.signal?.aborted) break
      const run = await runLoad({
        name: `${target.name} at ${rate} req/s`,
        url: target.url,
        ...(target.method !== undefined && { method: target.method }),
        ...(target.body !== undefined && { body: target.body }),
        ...(target.headers !== undefined && { headers: target.headers }),
        rate,
        connections,
        durationMs: stepDurationMs,
        timeoutMs: options.timeoutMs ?? curveDefaults.timeoutMs,
        allowRemote: options.allowRemote ?? false,
        ...(options.signal && { signal: options.signal }),
      })
      // Served per second from the step's start to its last answer: past the knee the queue
      // keeps answering after the step's sending stopped, at the rate the target can serve.
      const step = summariseStep(rate, run.records, Math.max(run.durationMs, stepDurationMs))
      steps.push(step)
      options.onStep?.(target, step)
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? curveDefaults.pauseMs))
    }
    results.push({ target, connections, stepDurationMs, steps, ...analyseCurve(steps, connections) })
  }
  return results
}

const f0 = (v: number) => v.toFixed(0)
const fms = (v: number) => v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)

function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

/** Two charts and a table per target. */
export function curveSection(result: CurveResult): ChartPageSection {
  const x = result.steps.map((s) => s.offeredRps)
  const id = slug(result.target.name)
  const marks = result.kneeRps === null ? [] : [{ x: result.kneeRps, label: `knee ${result.kneeRps} req/s` }]
  const latency: ChartSpec = {
    id: `${id}-latency`,
    title: `${result.target.name}: latency vs offered load (ms, from the intended send time)`,
    xLabel: 'offered req/s',
    yLabel: 'ms',
    x,
    logY: true,
    marks,
    series: [
      { label: 'p50', values: result.steps.map((s) => s.latencyMs.p50), color: PERCENTILE_COLORS.p50 },
      { label: 'p95', values: result.steps.map((s) => s.latencyMs.p95), color: PERCENTILE_COLORS.p95 },
      { label: 'p99', values: result.steps.map((s) => s.latencyMs.p99), color: PERCENTILE_COLORS.p99 },
    ],
  }
  const throughput: ChartSpec = {
    id: `${id}-throughput`,
    title: `${result.target.name}: throughput vs offered load (req/s)`,
    xLabel: 'offered req/s',
    yLabel: 'req/s',
    x,
    marks,
    series: [
      { label: 'served', values: result.steps.map((s) => s.achievedRps), color: OUTCOME_COLORS.served },
      {
        label: 'errors',
        values: result.steps.map((s) => (s.achievedRps * (s.requests - s.served)) / Math.max(s.served, 1)),
        color: OUTCOME_COLORS.http_5xx,
      },
      { label: 'offered', values: x, color: '#888888', dashed: true },
      ...(result.littleBoundRps === null
        ? []
        : [
            {
              label: `Little's law: ${result.connections} conns / W0`,
              values: x.map(() => result.littleBoundRps),
              color: '#9467bd',
              dashed: true,
            },
          ]),
    ],
  }
  return {
    title: result.target.name,
    text: `${result.target.url}, ${result.stepDurationMs / 1000} s per step, at most ${result.connections} connections. Knee: ${result.kneeRps === null ? 'not reached' : `${result.kneeRps} req/s offered`}. Little's-law bound: ${result.littleBoundRps === null ? '-' : `${f0(result.littleBoundRps)} req/s`}.`,
    charts: [latency, throughput],
    tables: [
      {
        title: `${result.target.name}: per step`,
        headers: [
          'offered req/s',
          'served req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'served p99 ms',
          'max ms',
          'in flight (X*W)',
          'errors',
        ],
        rows: result.steps.map((s) => [
          f0(s.offeredRps),
          f0(s.achievedRps),
          fms(s.latencyMs.p50),
          fms(s.latencyMs.p95),
          fms(s.latencyMs.p99),
          fms(s.servedLatencyMs.p99),
          fms(s.latencyMs.max),
          s.inFlightMean.toFixed(1),
          Object.entries(s.errors)
            .map(([cls, n]) => `${cls} ${n}`)
            .join(', ') || '0',
        ]),
      },
    ],
  }
}

export function curvePage(results: readonly CurveResult[], meta: string): ChartPageDocument {
  return { title: 'Latency and throughput vs offered load', meta, sections: results.map(curveSection) }
}

/** One line per step, for a terminal. */
export function formatCurveStep(target: CurveTarget, step: CurveStep): string {
  const errors = step.requests - step.served
  return `${target.name}: offered ${f0(step.offeredRps)} req/s -> served ${f0(step.achievedRps)} req/s, p50 ${fms(step.latencyMs.p50)} ms, p95 ${fms(step.latencyMs.p95)} ms, p99 ${fms(step.latencyMs.p99)} ms, errors ${errors}`
}
