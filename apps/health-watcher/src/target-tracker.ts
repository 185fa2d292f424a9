/**
 * The state machine of one watched target. It turns probe samples (and, when a probe fails,
 * what the control plane says about the process) into a state and a decision: restart or not.
 * It does no I/O and takes the time as an argument, so tests run it with a fake clock.
 *
 *   unknown   not probed enough yet
 *   up        live and ready `rise` probes in a row
 *   degraded  alive but not ready (starting, overloaded, a dependency down): never restarted
 *   draining  alive and shutting down (liveness 200, readiness 503): never restarted
 *   down      liveness failed `fall` times in a row, or the process exited with a failure
 *   restarting  a restart was asked for; liveness failures do not count for `startPeriodMs`
 *   stopped   stopped on purpose (control plane says stopped, or it exited with code 0): left alone
 *   given_up  the restart budget is spent: left alone until it is seen healthy again
 */
import type { RunState } from '@production-lab/control'
import { type BudgetSettings, RestartBudget } from './restart-budget.js'

export const TARGET_STATES = [
  'unknown',
  'up',
  'degraded',
  'draining',
  'down',
  'restarting',
  'stopped',
  'given_up',
] as const
export type TargetState = (typeof TARGET_STATES)[number]

/** One probe round, classified. */
export type Sample =
  | { kind: 'healthy' }
  | { kind: 'not_ready'; reasons: string[] }
  | { kind: 'draining' }
  /** timedOut: something accepted the connection and never answered, so the process is there (hung) */
  | { kind: 'dead'; error: string; timedOut: boolean }

/** What the control plane says about the process; undefined when it cannot tell (observe, or it failed). */
export type ProcessInfo =
  | {
      state: RunState
      exitCode: number | null
      /** milliseconds since the epoch of the process's last start; null when unknown */
      startedAt: number | null
    }
  | undefined

export interface Transition {
  target: string
  from: TargetState
  to: TargetState
  /** milliseconds since the epoch */
  at: number
  reason: string
}

export interface TrackerSettings {
  rise: number
  fall: number
  /** milliseconds */
  startPeriodMs: number
  /** milliseconds */
  drainGraceMs: number
  /** false for observe-only, or a container that did not opt in: never decides to restart */
  remediable: boolean
  budget: BudgetSettings
}

export type RestartOutcome =
  | { kind: 'ok' }
  | { kind: 'failed'; detail: string }
  | { kind: 'not_attempted'; detail: string }

export class TargetTracker {
  readonly name: string
  readonly #settings: TrackerSettings
  readonly #budget: RestartBudget
  readonly #onTransition: (transition: Transition) => void
  #state: TargetState = 'unknown'
  #since: number
  #lastTransition: Transition | undefined
  #deadStreak = 0
  #healthyStreak = 0
  #notReadyStreak = 0
  #startPeriodUntil = 0
  /** when it last answered liveness: a start before that is over (it booted) */
  #aliveAt = Number.NEGATIVE_INFINITY
  #restartStartedAt = 0
  /** when the target was last called down: the backoff counts from the failure, not from the restart */
  #downAt = 0
  #restartsTotal = 0
  #nextRestartAt: number | undefined

  constructor(
    name: string,
    settings: TrackerSettings,
    now: number,
    onTransition: (transition: Transition) => void,
  ) {
    this.name = name
    this.#settings = settings
    this.#budget = new RestartBudget(settings.budget)
    this.#since = now
    this.#onTransition = onTransition
  }

  get state(): TargetState {
    return this.#state
  }

  get remediable(): boolean {
    return this.#settings.remediable
  }

  /** Feeds one probe round; returns whether to restart the target now. */
  observe(sample: Sample, process: ProcessInfo, now: number): 'restart' | 'none' {
    if (sample.kind === 'dead') return this.#dead(sample, process, now)
    this.#alive(sample, now)
    return 'none'
  }

  restartStarted(now: number): void {
    this.#restartStartedAt = now
    this.#nextRestartAt = undefined
    this.#go(
      'restarting',
      now,
      `restart ${this.#budget.used(now) + 1} of ${this.#settings.budget.budget} in the window`,
    )
  }

  restartFinished(outcome: RestartOutcome, now: number): void {
    if (outcome.kind !== 'not_attempted') this.#budget.record(this.#restartStartedAt)
    if (outcome.kind === 'ok') {
      this.#restartsTotal += 1
      this.#deadStreak = 0
      this.#startPeriodUntil = now + this.#settings.startPeriodMs
      return
    }
    this.#downAt = now
    this.#go(
      'down',
      now,
      outcome.kind === 'failed'
        ? `restart failed: ${outcome.detail}`
        : `restart not attempted: ${outcome.detail}`,
    )
  }

  snapshot(now: number) {
    return {
      state: this.#state,
      since: new Date(this.#since).toISOString(),
      lastTransition: this.#lastTransition && {
        ...this.#lastTransition,
        at: new Date(this.#lastTransition.at).toISOString(),
      },
      remediable: this.#settings.remediable,
      restarts: {
        total: this.#restartsTotal,
        inWindow: this.#budget.used(now),
        remaining: this.#budget.remaining(now),
        nextAllowedAt: this.#nextRestartAt === undefined ? null : new Date(this.#nextRestartAt).toISOString(),
      },
      streaks: { dead: this.#deadStreak, healthy: this.#healthyStreak, notReady: this.#notReadyStreak },
    }
  }

  budgetRemaining(now: number): number {
    return this.#budget.remaining(now)
  }

  #alive(sample: Exclude<Sample, { kind: 'dead' }>, now: number): void {
    const { rise, fall } = this.#settings
    this.#deadStreak = 0
    this.#aliveAt = now
    this.#startPeriodUntil = 0
    this.#nextRestartAt = undefined
    if (sample.kind === 'draining') {
      this.#healthyStreak = 0
      this.#notReadyStreak = 0
      this.#go('draining', now, 'alive and draining (liveness 200, readiness 503): never restarted')
      return
    }
    if (sample.kind === 'healthy') {
      this.#healthyStreak += 1
      this.#notReadyStreak = 0
      if (this.#state !== 'up' && this.#healthyStreak >= rise) {
        // Given up on or stopped, and now healthy: somebody stepped in, so the whole budget is back.
        if (this.#state === 'given_up' || this.#state === 'stopped') this.#budget.reset()
        this.#go('up', now, `live and ready ${this.#healthyStreak} probe(s) in a row`)
      }
      return
    }
    this.#notReadyStreak += 1
    this.#healthyStreak = 0
    // Leaving up takes `fall` probes (readiness may flap under load); arriving from elsewhere takes `rise`.
    const needed = this.#state === 'up' ? fall : rise
    if (this.#state !== 'degraded' && this.#notReadyStreak >= needed) {
      this.#go(
        'degraded',
        now,
        `alive but not ready (${sample.reasons.join(', ') || 'no reason given'}): never restarted`,
      )
    }
  }

  #dead(
    { error, timedOut }: Extract<Sample, { kind: 'dead' }>,
    process: ProcessInfo,
    now: number,
  ): 'restart' | 'none' {
    const { fall, remediable } = this.#settings
    this.#healthyStreak = 0
    this.#notReadyStreak = 0
    const deliberate = deliberateStop(process)
    if (deliberate) {
      // Failures explained by a stop are no evidence of a hang later.
      this.#deadStreak = 0
      this.#go('stopped', now, `${deliberate}: left alone`)
      return 'none'
    }
    if (this.#state === 'given_up') return 'none'
    // Without word from the control plane a stopped target that refuses connections may still be
    // stopped on purpose; one that accepts them and never answers was started since, and hangs.
    if (this.#state === 'stopped' && process === undefined && !timedOut) {
      this.#deadStreak = 0
      return 'none'
    }
    const gone = process?.state === 'exited'
    // Failures while it boots are not counted at all (as Docker's start_period): a slow start
    // that ends up healthy is never restarted, and one still failing after the start period
    // needs `fall` fresh failures, not one failure on top of those of its boot.
    if (!gone && this.#booting(process, now)) {
      this.#deadStreak = 0
      return 'none'
    }
    this.#deadStreak += 1
    if (!gone) {
      if (this.#state === 'draining' && now < this.#since + this.#settings.drainGraceMs) return 'none'
      if (this.#deadStreak < fall) return 'none'
    }
    if (this.#state !== 'down') this.#downAt = now
    this.#go(
      'down',
      now,
      gone
        ? `process exited with ${process?.exitCode === null ? 'a signal' : `code ${process?.exitCode}`}`
        : `liveness failed ${this.#deadStreak} times in a row (${error})`,
    )
    if (!remediable) return 'none'
    const verdict = this.#budget.verdict(now, this.#downAt)
    if (verdict.kind === 'spent') {
      const { budget, windowMs } = this.#settings.budget
      this.#go(
        'given_up',
        now,
        `restart budget spent (${budget} restarts within ${windowMs / 1000} s): not restarting again`,
      )
      return 'none'
    }
    if (verdict.kind === 'wait') {
      this.#nextRestartAt = verdict.untilMs
      return 'none'
    }
    return 'restart'
  }

  /**
   * Whether the target is within its start period: being spawned, or started less than
   * `startPeriodMs` ago by anyone (the watcher's own restart, a user's `lab start`, Docker) and
   * not seen alive since. As with Docker's start_period, the first answer ends the period: a
   * process that booted and then hangs is not given the rest of it.
   */
  #booting(process: ProcessInfo, now: number): boolean {
    if (process?.state === 'starting') return true
    const startedAt = process?.startedAt ?? null
    if (startedAt !== null && this.#aliveAt < startedAt && now - startedAt < this.#settings.startPeriodMs)
      return true
    return this.#state === 'restarting' && now < this.#startPeriodUntil
  }

  #go(to: TargetState, now: number, reason: string): void {
    if (to === this.#state) return
    const transition = { target: this.name, from: this.#state, to, at: now, reason }
    this.#state = to
    this.#since = now
    this.#lastTransition = transition
    this.#onTransition(transition)
  }
}

/** Why a dead target was stopped on purpose, or undefined when it was not. */
function deliberateStop(process: ProcessInfo): string | undefined {
  if (process === undefined) return undefined
  // paused: frozen by `docker pause` on purpose; the one who paused it unpauses it.
  if (process.state === 'stopped' || process.state === 'stopping' || process.state === 'paused')
    return `the control plane says ${process.state}`
  // A clean exit is a graceful shutdown somebody asked for (SIGTERM), like Docker's on-failure policy.
  if (process.state === 'exited' && process.exitCode === 0)
    return 'exited with code 0 after a graceful shutdown'
  return undefined
}
