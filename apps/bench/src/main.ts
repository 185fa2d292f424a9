#!/usr/bin/env node
/**
 * `pnpm bench`: the cost of every layer, measured against its baseline in one run.
 *   1. lifecycle costs on fresh processes (ready time, idle RSS, shutdown)
 *   2. the servers under load and nginx, then the throughput, latency-fidelity and
 *      durability (the writer's storage modes against an in-memory database) suites, the curve
 *   3. the growth section (growth.ts): concurrency and response-size sweeps on the readers,
 *      directly and behind nginx (`--only growth` runs it alone, `--skip-growth` leaves it out)
 * Prints tables and the target summary, writes the JSON report. A missed target is
 * reported, not an error; the exit code is non-zero only when the run itself broke.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { formatCurveStep, renderChartPage, runCurve, writeReportFile } from '@production-lab/load'
import { REPO_ROOT } from '@production-lab/stack'
import { benchPage } from './bench-page.js'
import { parseOptions, USAGE } from './cli.js'
import { type BenchPlan, defaults } from './defaults.js'
import { measureDurability } from './durability-cost.js'
import { type GrowthPoint, measureGrowth } from './growth.js'
import { lifecycleCostServers, loadServers, portsFrom } from './layout.js'
import { type LifecycleCosts, measureLifecycleCosts } from './lifecycle-costs.js'
import { type RunningNginx, startNginx } from './nginx.js'
import { assertPortsFree } from './ports.js'
import { ProcessGroup } from './processes.js'
import { type BenchReport, checkTargets, formatReport } from './report.js'
import { type RunningServer, startServer } from './servers.js'
import { measureFidelity, measureThroughput } from './suites.js'

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`)

async function run(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const { plan, sections } = options
  const outDir = join(REPO_ROOT, defaults.outDir)
  const logDir = join(outDir, 'logs')
  rmSync(logDir, { recursive: true, force: true })
  mkdirSync(logDir, { recursive: true })
  const ports = portsFrom(options.portBase)
  await assertPortsFree(ports)
  const startedAt = new Date().toISOString()
  const loadAtStart = loadavg()[0] ?? 0

  const lifecycle: LifecycleCosts[] = []
  // The writers' databases, fresh each run.
  const dataRoot = join(outDir, 'writer-data')
  rmSync(dataRoot, { recursive: true, force: true })
  if (sections.standard) {
    progress(`lifecycle costs (${plan.lifecycleSamples} fresh process(es) per service)`)
    for (const spec of lifecycleCostServers(ports, dataRoot))
      lifecycle.push(await measureLifecycleCosts(spec, plan.lifecycleSamples, logDir))
  }

  const group = new ProcessGroup()
  const stopOnInterrupt = () => void group.stopAll().then(() => process.exit(130))
  process.once('SIGINT', stopOnInterrupt)
  try {
    progress('starting the servers under load and nginx')
    const specs = loadServers(ports, dataRoot)
    // The growth section alone needs only the readers (nginx starts without its writer).
    const needed = Object.entries(specs).filter(
      ([key]) => sections.standard || key === 'reader1' || key === 'reader2',
    )
    const servers = Object.fromEntries(
      await Promise.all(
        needed.map(async ([key, spec]) => [key, await startServer(group, spec, logDir)] as const),
      ),
    ) as Record<keyof typeof specs, RunningServer>
    const nginx = await startNginx(group, {
      runtimeDir: join(outDir, 'nginx'),
      lbPort: ports.nginxLb,
      statusPort: ports.nginxStatus,
      writerPort: ports.writer,
      readerPorts: [ports.reader1, ports.reader2],
      tuning: options.nginx,
    })

    const standard = sections.standard
      ? await measureStandard({ ...servers, nginx }, plan, lifecycle)
      : { layers: [], peers: [], fidelity: [], lifecycle, durability: [], curves: [] }

    let growth: GrowthPoint[] = []
    if (sections.growth) {
      const oneReaderNginx = await startNginx(group, {
        name: 'nginx-one-reader',
        runtimeDir: join(outDir, 'nginx-one-reader'),
        lbPort: ports.oneReaderNginxLb,
        statusPort: ports.oneReaderNginxStatus,
        writerPort: ports.writer,
        readerPorts: [ports.reader1, ports.reader2],
        secondReaderDown: true,
        tuning: options.nginx,
      })
      growth = await measureGrowth(
        { reader1: servers.reader1, reader2: servers.reader2, nginx, oneReaderNginx },
        plan,
        progress,
      )
    }

    const { durability, curves, ...measured } = standard
    const report: BenchReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      quick: options.quick,
      plan: { ...plan },
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        loadAverage1m: { start: loadAtStart, end: loadavg()[0] ?? 0 },
      },
      nginx: { upstreamKeepalive: nginx.upstreamKeepalive, workerProcesses: nginx.workerProcesses },
      ...measured,
      durability,
      curves,
      growth,
      targets: sections.standard ? checkTargets(measured) : [],
    }
    const out = options.out ? resolve(options.out) : join(outDir, 'latest.json')
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
    const text = formatReport(report)
    const html = out.replace(/(\.json)?$/, '.html')
    await writeReportFile(html, renderChartPage(benchPage(report, curves, text)))
    process.stdout.write(
      `${text}\n\nJSON report: ${out}\nHTML report: ${html} (offline)\nService logs: ${logDir}\n`,
    )
    return 0
  } finally {
    process.off('SIGINT', stopOnInterrupt)
    await group.stopAll()
  }
}

/** The sections before growth: throughput, latency fidelity, durable writes and the curve. */
async function measureStandard(
  servers: Record<keyof ReturnType<typeof loadServers>, RunningServer> & { nginx: RunningNginx },
  plan: BenchPlan,
  lifecycle: LifecycleCosts[],
) {
  const { layers, peers, results } = await measureThroughput(servers, plan, progress)
  const fidelity = await measureFidelity(servers, results, plan, progress)
  const durability = await measureDurability(
    { memory: servers.writerMemory, NORMAL: servers.writerNormal, FULL: servers.writer },
    plan,
    progress,
  )
  progress(
    `curve: ${plan.curveRatesRps.join(', ')} req/s x ${plan.curveStepS} s, a reader directly and the readers through nginx`,
  )
  const curves = await runCurve({
    targets: [
      { name: '/read on a reader directly', url: `${servers.reader1.origin}/read` },
      { name: '/read through nginx', url: `${servers.nginx.origin}/read` },
    ],
    ratesRps: plan.curveRatesRps,
    stepDurationMs: plan.curveStepS * 1000,
    onStep: (target, step) => progress(formatCurveStep(target, step)),
  })
  return { layers, peers, fidelity, lifecycle, durability, curves }
}

try {
  process.exitCode = await run()
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
}
