export { formatChecklist, formatScenarioResult } from './checklist.js'
export { SCENARIOS, selectScenarios, UnknownScenarioError } from './registry.js'
export { type RunScenariosOptions, runScenarios, type ScenarioOutcome } from './run-scenarios.js'
export type { CheckResult, Scenario, ScenarioContext, ScenarioResult } from './types.js'
