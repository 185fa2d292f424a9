/**
 * The run report's data: what `lab test` and `lab load` write as JSON and render as
 * HTML. A report has sections (one per scenario, or one for a plain load), each with
 * its checks and the load runs it made.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { loadDefaults } from './defaults.js'
import type { LoadRun } from './load-options.js'
import type { OutcomeClass } from './outcome.js'
import type { RunEvent } from './record.js'
import { buildSeries, type TimeSeries } from './series.js'
import type { LoadSummary } from './summary.js'

export interface ReportCheck {
  name: string
  passed: boolean
  expected: string
  actual: string
  numbers?: Record<string, number>
}

/** Every request of a run (evenly sampled above a cap), as columns. */
export interface ReportTimeline {
  /** seconds from the run's start */
  startS: number[]
  latencyMs: number[]
  outcome: OutcomeClass[]
  /** requests in the run; above startS.length when sampled */
  total: number
}

export interface ReportRun {
  name: string
  model: LoadRun['model']
  url: string
  method: string
  connections: number
  rate: number | null
  startedAt: string
  durationMs: number
  summary: LoadSummary
  series: TimeSeries
  events: RunEvent[]
  timeline: ReportTimeline
}

export interface ReportSection {
  id: string
  title: string
  /** absent for a plain load, which has nothing to pass or fail */
  passed?: boolean
  durationMs?: number
  error?: string
  checks: ReportCheck[]
  runs: ReportRun[]
}

export interface ReportDocument {
  title: string
  generatedAt: string
  /** the command line that produced it */
  command: string
  passed?: boolean
  sections: ReportSection[]
}

function sampleTimeline(run: LoadRun): ReportTimeline {
  const records = run.records
  const step = Math.max(1, records.length / loadDefaults.reportTimelineMaxPoints)
  const timeline: ReportTimeline = { startS: [], latencyMs: [], outcome: [], total: records.length }
  for (let i = 0; i < records.length; i += step) {
    const record = records[Math.floor(i)]
    if (!record) continue
    timeline.startS.push(Math.round(record.startMs) / 1000)
    timeline.latencyMs.push(Math.round(record.latencyMs * 100) / 100)
    timeline.outcome.push(record.outcome)
  }
  return timeline
}

export function toReportRun(run: LoadRun): ReportRun {
  return {
    name: run.name,
    model: run.model,
    url: run.url,
    method: run.method,
    connections: run.connections,
    rate: run.rate,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    summary: run.summary,
    series: buildSeries(run.records, run.durationMs),
    events: run.events,
    timeline: sampleTimeline(run),
  }
}

/** Writes `content` to `path`, creating its folder. */
export async function writeReportFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content)
}

export function renderJsonReport(document: ReportDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`
}

/** "2026-11-27T05-12-03Z": a file-name-safe timestamp for report names. */
export function reportTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-')
}
