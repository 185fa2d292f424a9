/**
 * The contract between the lab CLI (`lab test`) and the scenarios: one scenario per
 * guide test, each arrange -> act -> assert -> restore, talking to the stack only
 * through the control interface and HTTP, so it runs on the native and compose stacks.
 */
import type { ControlTarget, StackEndpoints } from '@production-lab/control'

export interface ScenarioContext {
  target: ControlTarget
  endpoints: StackEndpoints
  /** progress lines while the scenario runs */
  progress(message: string): void
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
  /** T1..T5 for the guide's tests, then the ones beyond the guide */
  id: string
  title: string
  /** which targets it can run on */
  targets: Array<ControlTarget['kind']>
  run(context: ScenarioContext): Promise<CheckResult[]>
}
