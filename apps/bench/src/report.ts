/**
 * The run's results as one JSON document, the tables printed from it, and the target
 * checks of the issue computed from it.
 */
import { type CurveResult, formatMarkdownTable } from '@production-lab/load'
import { defaults } from './defaults.js'
import { type DurabilityRow, formatDurability } from './durability-cost.js'
import type { GrowthPoint } from './growth.js'
import { formatGrowth } from './growth-report.js'
import type { LifecycleCosts } from './lifecycle-costs.js'
import type { CaseSummary } from './rounds.js'
import { ms, percent } from './table.js'
import { checkTarget, type TargetResult, targets } from './targets.js'

export interface LayerRow extends CaseSummary {
  label: string
  /** ms of simulated wait in the route */
  routeDelayMs: number
  /** rps relative to another row, computed within each round */
  ratio?: { to: string; median: number; perRound: number[] }
}

/** The lifecycle with everything on against one peer stack, as ratios within rounds. */
export interface PeerRow {
  /** the peer's layer row id */
  peer: string
  label: string
  /** lifecycle rps / peer rps */
  rps: { median: number; perRound: number[] }
  /** lifecycle server CPU per request / peer server CPU per request */
  cpuPerRequest: { median: number; perRound: number[] }
}

export interface FidelityRow {
  path: '/read' | '/write'
  via: 'direct' | 'nginx'
  connections: number
  configuredMs: number
  summary: CaseSummary
}

export interface BenchReport {
  startedAt: string
  finishedAt: string
  quick: boolean
  plan: Record<string, number | readonly number[]>
  machine: { cpus: number; cpuModel: string; node: string; loadAverage1m: { start: number; end: number } }
  nginx: { upstreamKeepalive: number; workerProcesses: string }
  layers: LayerRow[]
  peers: PeerRow[]
  fidelity: FidelityRow[]
  /** GET /read, open-model sweeps of offered load on a reader and through nginx (curve.ts) */
  curves: CurveResult[]
  /** POST /write by storage mode against the in-memory baseline (durability-cost.ts) */
  durability: DurabilityRow[]
  lifecycle: LifecycleCosts[]
  /** how the cost grows with concurrency and response size (growth.ts); empty with --skip-growth */
  growth: GrowthPoint[]
  targets: TargetResult[]
}

function layer(report: Pick<BenchReport, 'layers'>, id: string): LayerRow {
  const row = report.layers.find((r) => r.id === id)
  if (!row) throw new Error(`the report has no "${id}" row`)
  return row
}

function fidelity(
  report: Pick<BenchReport, 'fidelity'>,
  path: string,
  via: string,
  connections: number,
): FidelityRow {
  const row = report.fidelity.find((r) => r.path === path && r.via === via && r.connections === connections)
  if (!row) throw new Error(`the report has no fidelity row for ${path} ${via} at ${connections} connections`)
  return row
}

/** Every target of the issue, checked against the run's medians. */
export function checkTargets(
  report: Pick<BenchReport, 'layers' | 'peers' | 'fidelity' | 'lifecycle'>,
): TargetResult[] {
  const ratio = (id: string) => {
    const row = layer(report, id)
    if (!row.ratio) throw new Error(`the "${id}" row has no ratio`)
    return row.ratio.median
  }
  const nginx = layer(report, 'readers-nginx')
  const checks = [
    checkTarget({
      name: 'lifecycle everything on / bare rps',
      value: ratio('lifecycle-all-on'),
      limit: targets.lifecycleAllOnRatio,
      comparison: 'atLeast',
      unit: 'x',
    }),
    ...report.peers.flatMap((peer) => [
      checkTarget({
        name: `lifecycle everything on / ${peer.label} rps`,
        value: peer.rps.median,
        limit: targets.lifecycleOverPeerRatio,
        comparison: 'atLeast',
        unit: 'x',
      }),
      checkTarget({
        name: `lifecycle everything on / ${peer.label} server CPU per request`,
        value: peer.cpuPerRequest.median,
        limit: targets.lifecycleOverPeerCpuRatio,
        comparison: 'atMost',
        unit: 'x',
      }),
    ]),
    checkTarget({
      name: 'lifecycle LOG_REQUESTS=false / bare rps',
      value: ratio('lifecycle-no-log'),
      limit: targets.lifecycleNoLogRatio,
      comparison: 'atLeast',
      unit: 'x',
    }),
    checkTarget({
      name: 'readers through nginx / reader directly rps',
      value: ratio('readers-nginx'),
      limit: targets.nginxRatio,
      comparison: 'atLeast',
      unit: 'x',
    }),
    checkTarget({
      name: 'through nginx p99 / p50',
      value: nginx.p99Ms / nginx.p50Ms,
      limit: targets.nginxP99OverP50,
      comparison: 'atMost',
      unit: 'x',
    }),
    checkTarget({
      name: '/read p50 directly, 50 clients',
      value: fidelity(report, '/read', 'direct', 50).summary.p50Ms,
      limit: targets.readP50DirectMs,
      comparison: 'atMost',
      unit: 'ms',
    }),
    checkTarget({
      name: '/read p50 through nginx, 50 clients',
      value: fidelity(report, '/read', 'nginx', 50).summary.p50Ms,
      limit: targets.readP50NginxMs,
      comparison: 'atMost',
      unit: 'ms',
    }),
    ...report.fidelity
      .filter((row) => row.path === '/write' && row.via === 'direct')
      .map((row) =>
        checkTarget({
          name: `/write p50 directly, ${row.connections} client(s)`,
          value: row.summary.p50Ms,
          limit: targets.writeP50Ms,
          comparison: 'atMost',
          unit: 'ms',
        }),
      ),
  ]
  for (const service of report.lifecycle) {
    checks.push(
      checkTarget({
        name: `${service.name} spawn to ready`,
        value: service.readyMs,
        limit: targets.readyMs,
        comparison: 'below',
        unit: 'ms',
      }),
      checkTarget({
        name: `${service.name} shutdown with idle keep-alive clients (delay ${service.shutdownDelayMs} ms)`,
        value: service.shutdownMs,
        limit: service.shutdownDelayMs + targets.shutdownOverDelayMs,
        comparison: 'atMost',
        unit: 'ms',
      }),
      checkTarget({
        name: `${service.name} idle RSS`,
        value: service.idleRssBytes,
        limit: targets.idleRssBytes,
        comparison: 'below',
        unit: 'MB',
      }),
    )
  }
  return checks
}

export function formatReport(report: BenchReport): string {
  const layers = formatMarkdownTable(
    [
      'row (50 clients)',
      'route wait',
      'rps',
      'rps ratio',
      'p50 ms',
      'p99 ms',
      'rps spread',
      'server CPU us/req',
      'peak RSS MB',
      'failures',
    ],
    report.layers.map((row) => [
      row.label,
      `${row.routeDelayMs} ms`,
      row.rps.toFixed(0),
      row.ratio ? `${row.ratio.median.toFixed(2)}x ${row.ratio.to}` : 'baseline',
      ms(row.p50Ms),
      ms(row.p99Ms),
      percent(row.rpsSpread),
      row.serverCpuUsPerRequest === undefined ? '-' : row.serverCpuUsPerRequest.toFixed(0),
      row.serverPeakRssBytes === undefined ? '-' : (row.serverPeakRssBytes / (1024 * 1024)).toFixed(0),
      String(row.failures),
    ]),
  )
  const peers = formatMarkdownTable(
    ['lifecycle everything on against', 'rps ratio', 'per round', 'CPU/request ratio', 'per round'],
    report.peers.map((row) => [
      row.label,
      `${row.rps.median.toFixed(2)}x`,
      row.rps.perRound.map((r) => r.toFixed(2)).join(' '),
      `${row.cpuPerRequest.median.toFixed(2)}x`,
      row.cpuPerRequest.perRound.map((r) => r.toFixed(2)).join(' '),
    ]),
  )
  const fidelityTable = formatMarkdownTable(
    ['route', 'via', 'clients', 'configured', 'p50 ms', 'p99 ms', 'rps', 'p50 spread'],
    report.fidelity.map((row) => [
      row.path,
      row.via,
      String(row.connections),
      `${row.configuredMs} ms`,
      ms(row.summary.p50Ms),
      ms(row.summary.p99Ms),
      row.summary.rps.toFixed(0),
      percent(row.summary.p50Spread),
    ]),
  )
  const lifecycle = formatMarkdownTable(
    ['service', 'spawn to ready ms', 'idle RSS MB', 'shutdown ms', 'drain delay ms', 'samples'],
    report.lifecycle.map((row) => [
      row.name,
      row.readyMs.toFixed(0),
      (row.idleRssBytes / (1024 * 1024)).toFixed(1),
      row.shutdownMs.toFixed(0),
      String(row.shutdownDelayMs),
      String(row.samples.length),
    ]),
  )
  const curves = report.curves.map((curve) =>
    formatMarkdownTable(
      [`${curve.target.name}: offered req/s`, 'served req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
      curve.steps.map((step) => [
        step.offeredRps.toFixed(0),
        step.achievedRps.toFixed(0),
        ms(step.latencyMs.p50),
        ms(step.latencyMs.p95),
        ms(step.latencyMs.p99),
        String(step.requests - step.served),
      ]),
    ),
  )
  const missed = report.targets.filter((t) => !t.met).length
  const { cpus, loadAverage1m } = report.machine
  const busy = Math.max(loadAverage1m.start, loadAverage1m.end) > cpus
  // --only growth measures the growth section alone: no layer rows, no targets.
  const standard =
    report.layers.length === 0
      ? []
      : [
          'Throughput: the cost of each layer',
          layers,
          '',
          'Against the peer stack (fixture-peer-stack.ts; ratios within rounds, lifecycle / peer: rps above 1 and CPU below 1 favour the lifecycle)',
          peers,
          '',
          `Latency fidelity (median of ${report.plan.fidelityRounds} round(s))`,
          fidelityTable,
          '',
          `The curve: GET /read at constant arrival rates, latency from the intended send time (knee: ${report.curves.map((c) => `${c.target.name} ${c.kneeRps ?? 'not reached'}`).join(', ')})`,
          ...curves.flatMap((table) => [table, '']),
          `Durable writes: POST /write directly by storage, ${defaults.writeDelayMs} ms of simulated I/O on top (median of ${report.plan.rounds} rounds; ratios within a round; commit = the writer's own histogram)`,
          formatDurability(report.durability),
          '',
          `Lifecycle costs (fresh processes, ${defaults.idleKeepAliveClients} idle keep-alive clients at shutdown)`,
          lifecycle,
          '',
        ]
  const growth =
    report.growth.length === 0 ? [] : [formatGrowth(report.growth, Number(report.plan.growthRounds)), '']
  return [
    `Benchmark ${report.quick ? '(quick) ' : ''}${report.startedAt}: ${report.machine.cpus} CPU(s) ${report.machine.cpuModel}, node ${report.machine.node}, load average ${report.machine.loadAverage1m.start.toFixed(2)} -> ${report.machine.loadAverage1m.end.toFixed(2)}`,
    ...(report.layers.length === 0
      ? []
      : [
          `Each figure is the median of ${report.plan.rounds} alternating rounds; ratios are taken within a round; spread = (max - min) / median over rounds.`,
        ]),
    `nginx: upstream keepalive ${report.nginx.upstreamKeepalive}, worker_processes ${report.nginx.workerProcesses}`,
    ...(busy
      ? [
          `Warning: the machine was busy (load average above its ${cpus} CPU(s)): rps, ratios and p99 measure it as much as the servers; compare the spread column, or run again on a quiet machine.`,
        ]
      : []),
    '',
    ...standard,
    ...growth,
    report.layers.length === 0
      ? 'Targets: not checked (the throughput rows did not run)'
      : `Targets: ${report.targets.length - missed} met, ${missed} missed`,
    ...report.targets.map((t) => t.line),
  ].join('\n')
}
