/**
 * The contract between the lab CLI (`lab test`) and the scenarios: one scenario per
 * guide test (and a few beyond it), each arrange -> act -> assert -> restore, talking to
 * the stack only through the control interface and HTTP, so it runs on the native and
 * compose stacks. A scenario reports each check as soon as it is decided, so the checks
 * made before a failure still reach the checklist.
 */
import type { ControlTarget, StackEndpoints } from '@production-lab/control'
import type { LoadRun } from '@production-lab/load'
import type { HttpClient } from './http.js'

export interface ScenarioContext {
  target: ControlTarget
  endpoints: StackEndpoints
  http: HttpClient
  /** a progress line while the scenario runs */
  progress(message: string): void
  /** records a decided check */
  check(result: CheckResult): void
  /** keeps a load run for the reports (charts, timelines) */
  record(run: LoadRun): void
  /** aborted when the user interrupts the run */
  signal: AbortSignal
}

export interface CheckResult {
  /** e.g. "1.2 reads succeed with app_fast_1 stopped" */
  name: string
  passed: boolean
  /** what the guide (or the issue) expects, in words */
  expected: string
  /** what was measured, in words */
  actual: string
  /** the measured numbers (ms, req/s, %, counts) for the report */
  numbers?: Record<string, number>
}

export interface ScenarioResult {
  id: string
  title: string
  passed: boolean
  durationMs: number
  checks: CheckResult[]
  /** an error that stopped the scenario before its checks completed */
  error?: string
}

export interface Scenario {
  /** T1..T5 for the guide's tests, B1.. for the ones beyond the guide */
  id: string
  /** other names accepted by `lab test`, e.g. "breaker" */
  aliases: string[]
  title: string
  /** the guide's commands this scenario stands for, for the docs and the report */
  guide: string
  /** which targets it can run on; every one when not given */
  targets?: Array<ControlTarget['kind']>
  /**
   * act and assert; the runner arranges (a healthy stack) before and restores the stack as
   * it was found after, also when run throws (arrange.ts withRestoredStack)
   */
  run(context: ScenarioContext): Promise<void>
}
