/**
 * `lab curve`: the latency/throughput curve of a running stack (native, compose or any URL):
 * an open-model sweep of offered load from low to past saturation, per target, without
 * coordinated omission (packages/load/src/curve.ts). Prints a line per step and writes an
 * offline HTML page (latency and throughput against offered load, the knee, Little's-law
 * bound, the table) and its JSON twin. Exit 0, or 1 when no step served anything.
 */
import { resolve } from 'node:path'
import {
  curvePage,
  formatCurveStep,
  LoadTargetError,
  renderChartPage,
  runCurve,
  writeReportFile,
} from '@production-lab/load'
import { parseCurveArgs } from './curve-options.js'
import { commandLine, defaultReportPaths, describeReports } from './run-report.js'
import { UsageError } from './usage.js'

export async function curveCommand(argv: string[]): Promise<number> {
  const { curve, reports } = parseCurveArgs(argv)
  const stopper = new AbortController()
  const onInterrupt = () => (stopper.signal.aborted ? process.exit(130) : stopper.abort())
  process.on('SIGINT', onInterrupt)
  const steps = curve.ratesRps.length * curve.targets.length
  process.stdout.write(
    `lab curve: ${curve.targets.map((t) => t.url).join(' and ')}, ${curve.ratesRps.join(', ')} req/s, ${curve.stepDurationMs / 1000} s per step (${steps} steps)\n`,
  )
  let results: Awaited<ReturnType<typeof runCurve>>
  try {
    results = await runCurve({
      ...curve,
      signal: stopper.signal,
      onStep: (target, step) => process.stdout.write(`${formatCurveStep(target, step)}\n`),
    })
  } catch (error) {
    if (error instanceof LoadTargetError) throw new UsageError(error.message)
    throw error
  } finally {
    process.off('SIGINT', onInterrupt)
  }
  for (const result of results)
    process.stdout.write(
      `${result.target.name}: knee ${result.kneeRps === null ? 'not reached' : `at ${result.kneeRps} req/s offered`}\n`,
    )
  const defaults = defaultReportPaths('curve')
  const paths = { json: resolve(reports.json ?? defaults.json), html: resolve(reports.html ?? defaults.html) }
  const meta = `${commandLine('curve', argv)} - generated ${new Date().toISOString()}`
  await writeReportFile(
    paths.json,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), command: commandLine('curve', argv), results }, null, 2)}\n`,
  )
  await writeReportFile(paths.html, renderChartPage(curvePage(results, meta)))
  process.stdout.write(`${describeReports(paths)}\n`)
  return results.some((r) => r.steps.some((s) => s.served > 0)) ? 0 : 1
}
