/**
 * The benchmark's report as an offline HTML page beside its text tables, on the same chart
 * page as `lab curve` (packages/load chart-page.ts): rps and server CPU per request per round
 * for each throughput row, the rows' latency (p50, p99 per round), the curve section and the
 * growth section (growth-report.ts).
 */
import {
  type ChartPageDocument,
  type ChartPageSection,
  type ChartSpec,
  type CurveResult,
  curveSection,
} from '@production-lab/load'
import { growthSection } from './growth-report.js'
import type { BenchReport, LayerRow } from './report.js'

/** One colour per throughput row, in row order (categorical, tell-apart on white). */
const ROW_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf']

function colorOf(index: number): string {
  return ROW_COLORS[index % ROW_COLORS.length] as string
}

function perRoundChart(
  id: string,
  title: string,
  yLabel: string,
  rows: readonly LayerRow[],
  value: (round: LayerRow['rounds'][number]) => number | undefined,
): ChartSpec {
  const rounds = Math.max(...rows.map((row) => row.rounds.length))
  return {
    id,
    title,
    xLabel: 'round',
    yLabel,
    x: Array.from({ length: rounds }, (_, i) => i + 1),
    series: rows.map((row, index) => ({
      label: row.label,
      values: row.rounds.map((round) => value(round) ?? null),
      color: colorOf(index),
    })),
  }
}

export function benchPage(
  report: BenchReport,
  curves: readonly CurveResult[],
  text: string,
): ChartPageDocument {
  const rows = report.layers
  const latency: ChartSpec[] = ['p50Ms', 'p99Ms'].map((key) =>
    perRoundChart(
      `latency-${key.slice(0, 3)}`,
      `${key.slice(0, 3)} latency per round (ms, 50 clients)`,
      'ms',
      rows,
      (round) => round[key as 'p50Ms' | 'p99Ms'],
    ),
  )
  return {
    title: `Benchmark ${report.quick ? '(quick) ' : ''}${report.startedAt}`,
    meta: `${report.machine.cpus} CPU(s) ${report.machine.cpuModel}, node ${report.machine.node}, load average ${report.machine.loadAverage1m.start.toFixed(2)} -> ${report.machine.loadAverage1m.end.toFixed(2)}`,
    sections: [
      ...(rows.length === 0 ? [] : standardSections(rows, latency)),
      ...curves.map(curveSection),
      ...(report.growth?.length ? [growthSection(report.growth)] : []),
      {
        title: 'The text report',
        pre: text,
        charts: [],
        tables: [],
      },
    ],
  }
}

/** The throughput rows per round and their latency (absent with --only growth). */
function standardSections(rows: readonly LayerRow[], latency: ChartSpec[]): ChartPageSection[] {
  return [
    {
      title: 'Throughput: each row per round',
      text: 'Rounds alternate the rows, so a noisy moment of the machine shows as one round out of line for every row; ratios are taken within a round.',
      charts: [
        perRoundChart('rps', 'requests per second per round', 'req/s', rows, (round) => round.rps),
        perRoundChart(
          'cpu',
          'server CPU per request per round (us)',
          'us',
          rows,
          (round) => round.serverCpuUsPerRequest,
        ),
      ],
      tables: [],
    },
    { title: 'Latency per round', charts: latency, tables: [] },
  ]
}
