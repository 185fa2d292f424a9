/**
 * PromQL for "which state is it in" from the one-hot gauges the services expose
 * (lifecycle_state, circuit_breaker_state, watcher_target_state: 1 for the current state,
 * 0 for the others). Each state's series is multiplied by its index and the maximum
 * taken, giving one series per entity whose value is the index of its current state:
 * what a state-timeline panel maps back to names.
 */
import type { StateMapping } from './panels.js'

export interface StateSpec {
  /** the `state` label value */
  state: string
  /** the name shown on the timeline */
  text: string
  color: string
}

export interface OneHotOptions {
  /** label matchers added to every selector, e.g. `instance=~"$instance"` */
  matchers: string
  /** the labels of one entity, e.g. `instance, breaker` */
  by: string
  states: StateSpec[]
  /** value of the first state, so a caller can reserve lower values (e.g. 0 = down) */
  offset?: number
  /** more `or` terms, evaluated after the states (e.g. the "down" value) */
  extraTerms?: string[]
}

export function oneHotStateQuery(metric: string, options: OneHotOptions): string {
  const offset = options.offset ?? 0
  const selector = (state: string) =>
    `${metric}{state="${state}"${options.matchers ? `, ${options.matchers}` : ''}}`
  const terms = options.states.map((spec, index) => `${selector(spec.state)} * ${index + offset}`)
  return `max by (${options.by}) (${[...terms, ...(options.extraTerms ?? [])].join(' or ')})`
}

export function stateMappings(states: StateSpec[], offset = 0): StateMapping[] {
  return states.map((spec, index) => ({ value: index + offset, text: spec.text, color: spec.color }))
}

export const LIFECYCLE_STATES: StateSpec[] = [
  { state: 'starting', text: 'starting', color: 'blue' },
  { state: 'ready', text: 'ready', color: 'green' },
  { state: 'draining', text: 'draining (SIGTERM)', color: 'orange' },
]

export const BREAKER_STATES: StateSpec[] = [
  { state: 'closed', text: 'closed', color: 'green' },
  { state: 'half_open', text: 'half-open', color: 'yellow' },
  { state: 'open', text: 'open', color: 'red' },
]

/** The health-watcher's target states (apps/health-watcher/src/target-tracker.ts). */
export const WATCHER_STATES: StateSpec[] = [
  { state: 'unknown', text: 'unknown', color: 'text' },
  { state: 'up', text: 'up', color: 'green' },
  { state: 'degraded', text: 'degraded (not ready)', color: 'yellow' },
  { state: 'draining', text: 'draining', color: 'orange' },
  { state: 'down', text: 'down', color: 'red' },
  { state: 'restarting', text: 'restarting', color: 'purple' },
  { state: 'stopped', text: 'stopped on purpose', color: 'blue' },
  { state: 'given_up', text: 'given up', color: 'dark-red' },
]

/**
 * Lifecycle state per app instance, with 0 = down (not answering scrapes), so a stopped
 * or killed process shows as "down" on the same row instead of a gap.
 */
export function lifecycleStateQuery(instanceMatcher: string): string {
  return oneHotStateQuery('lifecycle_state', {
    matchers: instanceMatcher,
    by: 'instance',
    states: LIFECYCLE_STATES,
    offset: 1,
    extraTerms: [`up{${instanceMatcher}} * 0`],
  })
}

export const LIFECYCLE_MAPPINGS: StateMapping[] = [
  { value: 0, text: 'down', color: 'red' },
  ...stateMappings(LIFECYCLE_STATES, 1),
]
