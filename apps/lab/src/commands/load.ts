/**
 * `lab load`: the load generator for users. Closed model (--connections) or open model
 * (--rate), bounded by --duration and/or --requests, any method/path/body/headers,
 * optional retries with exponential backoff and full jitter. Prints a live progress line
 * and a percentile summary, and writes a JSON and an HTML report. Exit 0, or 1 when no
 * request was served; 2 for a usage error.
 */
import {
  formatSummary,
  LoadOptionsError,
  LoadTargetError,
  progressReporter,
  type ReportDocument,
  startLoad,
  toReportRun,
} from '@production-lab/load'
import { describeLoad, parseLoadArgs } from './load-options.js'
import { commandLine, describeReports, writeReports } from './run-report.js'
import { UsageError } from './usage.js'

export async function loadCommand(argv: string[]): Promise<number> {
  const { load, reports } = parseLoadArgs(argv)
  const progress = progressReporter(process.stderr)
  const stopper = new AbortController()
  // Ctrl-C ends the load early and still prints the summary; a second one exits at once.
  const onInterrupt = () => {
    if (stopper.signal.aborted) process.exit(130)
    stopper.abort()
  }
  process.on('SIGINT', onInterrupt)
  let handle: ReturnType<typeof startLoad>
  try {
    handle = startLoad({
      ...load,
      signal: stopper.signal,
      onProgress: (p) => progress.update(p),
      progressIntervalMs: progress.intervalMs,
    })
  } catch (error) {
    process.off('SIGINT', onInterrupt)
    if (error instanceof LoadTargetError || error instanceof LoadOptionsError)
      throw new UsageError(error.message)
    throw error
  }
  process.stdout.write(`lab load: ${describeLoad(load)}\n`)
  const run = await handle.done.finally(() => {
    process.off('SIGINT', onInterrupt)
    progress.finish()
  })
  process.stdout.write(`${formatSummary(run.summary)}\n`)
  if (reports) {
    const document: ReportDocument = {
      title: `Load: ${run.name}`,
      generatedAt: new Date().toISOString(),
      command: commandLine('load', argv),
      sections: [{ id: 'load', title: describeLoad(load), checks: [], runs: [toReportRun(run)] }],
    }
    process.stdout.write(`${describeReports(await writeReports(document, 'load', reports))}\n`)
  }
  return run.summary.served > 0 ? 0 : 1
}
