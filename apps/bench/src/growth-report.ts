/**
 * The growth section's tables (terminal report and HTML page) and its charts: rps and p99
 * against concurrency, server CPU per request and rps against response size, each with the
 * first machine-bound point marked, so where the 2 cores become the limit is read off the data.
 */
import { type ChartPageSection, type ChartSpec, formatMarkdownTable } from '@production-lab/load'
import { defaults } from './defaults.js'
import { GROWTH_TARGET_LABELS, type GrowthPoint, type GrowthTargetId } from './growth.js'
import { ms, percent } from './table.js'

const TARGET_COLORS: Record<GrowthTargetId, string> = {
  'reader-direct': '#1f77b4',
  'reader-nginx': '#2ca02c',
  'readers-nginx': '#d62728',
}

const HEADERS = [
  'target',
  'clients',
  'asked bytes',
  'rps',
  'p50 ms',
  'p99 ms',
  'failures',
  'server CPU us/req',
  'bytes/response',
  'machine busy',
  'limit',
]

const boundLabel = `machine-bound (>= ${percent(defaults.machineBoundBusyShare)} busy)`

function cells(point: GrowthPoint): string[] {
  return [
    GROWTH_TARGET_LABELS[point.target],
    String(point.connections),
    point.requestedBytes === 0 ? "guide's" : String(point.requestedBytes),
    point.rps.toFixed(0),
    ms(point.p50Ms),
    ms(point.p99Ms),
    String(point.failures),
    point.serverCpuUsPerRequest === undefined ? '-' : point.serverCpuUsPerRequest.toFixed(0),
    point.bytesPerResponse.toFixed(0),
    point.machineBusyShare === undefined ? '-' : percent(point.machineBusyShare),
    point.machineBound ? 'MACHINE' : '-',
  ]
}

const ofSweep = (points: readonly GrowthPoint[], sweep: GrowthPoint['sweep']) =>
  points.filter((p) => p.sweep === sweep)

export function growthTables(points: readonly GrowthPoint[]) {
  return {
    concurrency: { headers: HEADERS, rows: ofSweep(points, 'concurrency').map(cells) },
    size: { headers: HEADERS, rows: ofSweep(points, 'size').map(cells) },
  }
}

/** The terminal report's growth section. */
export function formatGrowth(points: readonly GrowthPoint[], rounds: number): string {
  const tables = growthTables(points)
  return [
    `How it grows: GET /read, median of ${rounds} alternating round(s); machine busy = all cores from /proc/stat over the point (servers, load generator, anyone else); limit MACHINE = ${boundLabel}`,
    `Concurrency (the guide's answer)`,
    formatMarkdownTable(tables.concurrency.headers, tables.concurrency.rows),
    '',
    `Response size (${defaults.connections} clients, GET /read?bytes=N)`,
    formatMarkdownTable(tables.size.headers, tables.size.rows),
  ].join('\n')
}

/** One series per target over the sweep's x values (null where the target has no point). */
function sweepChart(
  id: string,
  title: string,
  xLabel: string,
  yLabel: string,
  points: readonly GrowthPoint[],
  xOf: (point: GrowthPoint) => number,
  value: (point: GrowthPoint) => number | undefined,
  xs: number[],
): ChartSpec {
  const targets = [...new Set(points.map((p) => p.target))]
  const firstBound = points
    .filter((p) => p.machineBound)
    .map(xOf)
    .sort((a, b) => a - b)[0]
  return {
    id,
    title,
    xLabel,
    yLabel,
    x: xs,
    logX: true,
    series: targets.map((target) => ({
      label: GROWTH_TARGET_LABELS[target],
      color: TARGET_COLORS[target],
      values: xs.map((x) => {
        const point = points.find((p) => p.target === target && xOf(p) === x)
        return point ? (value(point) ?? null) : null
      }),
    })),
    ...(firstBound !== undefined && { marks: [{ x: firstBound, label: 'machine-bound from here' }] }),
  }
}

/** The HTML page's growth section: four charts and the two tables. */
export function growthSection(points: readonly GrowthPoint[]): ChartPageSection {
  const concurrency = ofSweep(points, 'concurrency')
  const size = ofSweep(points, 'size')
  const clients = [...new Set(concurrency.map((p) => p.connections))].sort((a, b) => a - b)
  // The size axis: bytes per response as a reader answers it directly (nginx's headers differ a little).
  const sizeX = new Map(
    size
      .filter((p) => p.target === 'reader-direct')
      .map((p) => [p.requestedBytes, Math.round(p.bytesPerResponse)]),
  )
  const xOfSize = (p: GrowthPoint) => sizeX.get(p.requestedBytes) ?? Math.round(p.bytesPerResponse)
  const sizes = [...new Set(size.map(xOfSize))].sort((a, b) => a - b)
  const byClients = (p: GrowthPoint) => p.connections
  const tables = growthTables(points)
  return {
    title: 'How it grows: concurrency and response size',
    text: `GET /read on one reader directly, one reader behind nginx and two readers behind nginx. The dashed mark is the first point where the whole 2-core machine was ${boundLabel}: from there the cores, not the code, set rps and p99.`,
    charts: [
      sweepChart(
        'growth-rps',
        'rps against concurrent clients',
        'clients',
        'req/s',
        concurrency,
        byClients,
        (p) => p.rps,
        clients,
      ),
      sweepChart(
        'growth-p99',
        'p99 against concurrent clients (ms)',
        'clients',
        'ms',
        concurrency,
        byClients,
        (p) => p.p99Ms,
        clients,
      ),
      sweepChart(
        'growth-size-cpu',
        `server CPU per request against response size (us, ${defaults.connections} clients)`,
        'bytes per response',
        'us',
        size,
        xOfSize,
        (p) => p.serverCpuUsPerRequest,
        sizes,
      ),
      sweepChart(
        'growth-size-rps',
        `rps against response size (${defaults.connections} clients)`,
        'bytes per response',
        'req/s',
        size,
        xOfSize,
        (p) => p.rps,
        sizes,
      ),
    ],
    tables: [
      { title: "Concurrency (the guide's answer)", ...tables.concurrency },
      { title: `Response size (${defaults.connections} clients)`, ...tables.size },
    ],
  }
}
