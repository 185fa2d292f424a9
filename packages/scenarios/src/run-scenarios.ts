/**
 * Runs scenarios one after another against one target, collecting each one's checks and
 * load runs; a scenario that throws is a failed scenario with the checks it got to, and
 * the run goes on with the next one.
 */
import type { ControlTarget, StackEndpoints } from '@production-lab/control'
import { type ReportRun, toReportRun } from '@production-lab/load'
import { withRestoredStack } from './arrange.js'
import { createHttpClient } from './http.js'
import type { CheckResult, Scenario, ScenarioContext, ScenarioResult } from './types.js'

export interface ScenarioOutcome extends ScenarioResult {
  runs: ReportRun[]
}

export interface RunScenariosOptions {
  target: ControlTarget
  endpoints: StackEndpoints
  signal: AbortSignal
  /** a progress line, e.g. "[T2] SIGTERM app_slow under 40 writes/s" */
  progress: (line: string) => void
  /** called when a scenario has finished */
  onResult?: (result: ScenarioOutcome) => void
}

export async function runScenarios(
  scenarios: Scenario[],
  options: RunScenariosOptions,
): Promise<ScenarioOutcome[]> {
  const http = createHttpClient()
  const outcomes: ScenarioOutcome[] = []
  try {
    for (const scenario of scenarios) {
      if (options.signal.aborted) break
      const checks: CheckResult[] = []
      const runs: ReportRun[] = []
      const started = performance.now()
      const tag = `[${scenario.id}]`
      options.progress(`${tag} ${scenario.title}`)
      let error: string | undefined
      if (scenario.targets && !scenario.targets.includes(options.target.kind)) {
        error = `not available on the ${options.target.kind} target`
      } else {
        try {
          const context: ScenarioContext = {
            target: options.target,
            endpoints: options.endpoints,
            http,
            signal: options.signal,
            progress: (message) => options.progress(`${tag}   ${message}`),
            check: (result) => {
              checks.push(result)
              options.progress(`${tag}   ${result.passed ? 'PASS' : 'FAIL'} ${result.name}`)
            },
            record: (run) => runs.push(toReportRun(run)),
          }
          await withRestoredStack(context, () => scenario.run(context))
        } catch (caught) {
          error = options.signal.aborted ? 'interrupted' : (caught as Error).message
        }
        // A scenario the interrupt cut short may have returned normally with the checks it got to.
        if (options.signal.aborted && error === undefined) error = 'interrupted'
      }
      const outcome: ScenarioOutcome = {
        id: scenario.id,
        title: scenario.title,
        passed: error === undefined && checks.length > 0 && checks.every((c) => c.passed),
        durationMs: performance.now() - started,
        checks,
        runs,
        ...(error !== undefined && { error }),
      }
      outcomes.push(outcome)
      options.onResult?.(outcome)
    }
  } finally {
    await http.close()
  }
  return outcomes
}
