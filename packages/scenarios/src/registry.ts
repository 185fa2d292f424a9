/**
 * Every scenario, in the order `lab test` runs them: the guide's five tests, the ones beyond
 * it, then the health-watcher's (issue 4).
 */
import { b1Breaker } from './b1-breaker.js'
import { b2Idempotency } from './b2-idempotency.js'
import { b3Overload } from './b3-overload.js'
import { t1Health } from './t1-health.js'
import { t2Shutdown } from './t2-shutdown.js'
import { t3Limits } from './t3-limits.js'
import { t4Split } from './t4-split.js'
import { t5Timeouts } from './t5-timeouts.js'
import type { Scenario } from './types.js'
import { watcherScenarios } from './watcher-scenarios.js'

export const SCENARIOS: Scenario[] = [
  t1Health,
  t2Shutdown,
  t3Limits,
  t4Split,
  t5Timeouts,
  b1Breaker,
  b2Idempotency,
  b3Overload,
  ...watcherScenarios,
]

export class UnknownScenarioError extends Error {}

/** The scenarios named (by id or alias, any case), in the canonical order; all when none is named. */
export function selectScenarios(names: string[], all: Scenario[] = SCENARIOS): Scenario[] {
  if (names.length === 0) return all
  const wanted = new Set<Scenario>()
  for (const name of names) {
    const lower = name.toLowerCase()
    const found = all.find((s) => s.id.toLowerCase() === lower || s.aliases.includes(lower))
    if (!found) {
      const known = all.map((s) => `${s.id} (${s.aliases.join(', ')})`).join(', ')
      throw new UnknownScenarioError(`unknown scenario ${JSON.stringify(name)}: expected one of ${known}`)
    }
    wanted.add(found)
  }
  return all.filter((s) => wanted.has(s))
}
