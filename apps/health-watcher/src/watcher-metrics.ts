/**
 * The watcher's own metrics, on the service's registry (so they carry service="HEALTH_WATCHER"
 * and sit beside the lifecycle package's, including circuit_breaker_state{breaker="remediation"}).
 * Labels: target = the watched name (app_fast_1, ...), low cardinality by construction.
 */
import type { Registry } from 'prom-client'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { ProbeResultKind } from './probe.js'
import { TARGET_STATES, type TargetState } from './target-tracker.js'

/** Seconds: from 1 ms (a healthy /health/live) to 5 s (beyond any sane probe timeout). */
const PROBE_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

export type RemediationFailureReason = 'error' | 'timeout' | 'circuit_open' | 'not_opted_in'

export class WatcherMetrics {
  readonly #up: Gauge<'target'>
  readonly #probeDuration: Histogram<'target' | 'probe' | 'result'>
  readonly #state: Gauge<'target' | 'state'>
  readonly #restarts: Counter<'target'>
  readonly #remediationFailures: Counter<'target' | 'reason'>
  readonly #givenUp: Gauge<'target'>
  readonly #budgetRemaining: Gauge<'target'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.#up = new Gauge({
      name: 'watcher_target_up',
      help: 'Whether the target is up (live and ready) as the watcher last decided: 1 or 0.',
      labelNames: ['target'],
      registers,
    })
    this.#probeDuration = new Histogram({
      name: 'watcher_probe_duration_seconds',
      help: 'Duration of one probe call, by probe (live, ready) and result (ok, fail, timeout, error).',
      labelNames: ['target', 'probe', 'result'],
      buckets: PROBE_BUCKETS_S,
      registers,
    })
    this.#state = new Gauge({
      name: 'watcher_target_state',
      help: `The watcher's state of each target: 1 for the current state, 0 for the others (${TARGET_STATES.join(', ')}).`,
      labelNames: ['target', 'state'],
      registers,
    })
    this.#restarts = new Counter({
      name: 'watcher_restarts_total',
      help: 'Restarts the watcher performed (the adapter call succeeded).',
      labelNames: ['target'],
      registers,
    })
    this.#remediationFailures = new Counter({
      name: 'watcher_remediation_failures_total',
      help: 'Restarts that failed or were not attempted: error, timeout, circuit_open, not_opted_in.',
      labelNames: ['target', 'reason'],
      registers,
    })
    this.#givenUp = new Gauge({
      name: 'watcher_target_given_up',
      help: 'Whether the watcher gave up on the target after spending its restart budget: 1 or 0. Alert on 1.',
      labelNames: ['target'],
      registers,
    })
    this.#budgetRemaining = new Gauge({
      name: 'watcher_restart_budget_remaining',
      help: 'Restarts the target has left in the current budget window.',
      labelNames: ['target'],
      registers,
    })
  }

  /** Creates every series of a target at once, so absent series never hide a target. */
  register(target: string, state: TargetState, budget: number): void {
    this.setState(target, state)
    this.#restarts.inc({ target }, 0)
    for (const reason of ['error', 'timeout', 'circuit_open', 'not_opted_in'] as const) {
      this.#remediationFailures.inc({ target, reason }, 0)
    }
    this.#budgetRemaining.set({ target }, budget)
  }

  setState(target: string, current: TargetState): void {
    for (const state of TARGET_STATES) this.#state.set({ target, state }, state === current ? 1 : 0)
    this.#up.set({ target }, current === 'up' ? 1 : 0)
    this.#givenUp.set({ target }, current === 'given_up' ? 1 : 0)
  }

  observeProbe(target: string, probe: 'live' | 'ready', result: ProbeResultKind, seconds: number): void {
    this.#probeDuration.observe({ target, probe, result }, seconds)
  }

  restarted(target: string): void {
    this.#restarts.inc({ target })
  }

  remediationFailed(target: string, reason: RemediationFailureReason): void {
    this.#remediationFailures.inc({ target, reason })
  }

  setBudgetRemaining(target: string, remaining: number): void {
    this.#budgetRemaining.set({ target }, remaining)
  }
}
