/**
 * The probe loop: one loop per target, probe -> (when dead) ask the control plane about the
 * process -> state machine -> maybe restart through the breaker-guarded remediator -> wait.
 * Every transition is one log line and a metric update. stop() aborts probes in flight and
 * resolves once every loop has ended, so nothing is probed after the watcher closes.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger, ProtectedCall } from '@production-lab/lifecycle'
import { Agent } from 'undici'
import type { WatcherConfig } from './config.js'
import { type ProbeRound, probeTarget } from './probe.js'
import type { Remediator } from './remediator.js'
import { StallMeter } from './stall-meter.js'
import { type RestartOutcome, TargetTracker, type Transition } from './target-tracker.js'
import type { WatchTarget } from './watch-targets.js'
import type { RemediationFailureReason, WatcherMetrics } from './watcher-metrics.js'

export interface WatcherOptions {
  config: WatcherConfig
  remediator: Remediator
  logger: Logger
  metrics: WatcherMetrics
  /** the remediator's restart, wrapped in the service's circuit breaker */
  restart: ProtectedCall<[string], void>
  /** true once the watcher itself is shutting down: it then starts no new restart */
  isDraining: () => boolean
  /** milliseconds since the epoch; injectable for tests */
  now?: () => number
}

type Attempt =
  | { result: Extract<RestartOutcome, { kind: 'ok' }> }
  | { result: Exclude<RestartOutcome, { kind: 'ok' }>; reason: RemediationFailureReason }

interface Watched {
  target: WatchTarget
  tracker: TargetTracker
  lastProbe: ProbeRound | undefined
}

export class Watcher {
  readonly #options: WatcherOptions
  readonly #now: () => number
  readonly #abort = new AbortController()
  // Probes open a fresh connection each time (reset: true); the agent only bounds and closes them.
  readonly #agent = new Agent({ connections: 4 })
  readonly #watched: Watched[]
  readonly #stall = new StallMeter()
  #loops: Promise<void>[] = []

  constructor(options: WatcherOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
    const { config, remediator, metrics } = options
    const budget = {
      budget: config.RESTART_BUDGET,
      windowMs: config.BUDGET_WINDOW_S * 1000,
      backoffBaseMs: config.BACKOFF_BASE_MS,
      backoffMaxMs: config.BACKOFF_MAX_MS,
    }
    this.#watched = config.targets.map((target) => {
      const tracker = new TargetTracker(
        target.name,
        {
          rise: config.RISE,
          fall: config.FALL,
          startPeriodMs: config.START_PERIOD_MS,
          drainGraceMs: config.DRAIN_GRACE_S * 1000,
          remediable: remediator.remediable(target.name),
          budget,
        },
        this.#now(),
        (transition) => this.#onTransition(transition),
      )
      metrics.register(target.name, tracker.state, config.RESTART_BUDGET)
      return { target, tracker, lastProbe: undefined }
    })
  }

  start(): void {
    if (this.#loops.length > 0) return
    const { logger, config, remediator } = this.#options
    logger.info(
      {
        adapter: remediator.kind,
        targets: this.#watched.map((w) => ({ ...w.target, remediable: w.tracker.remediable })),
        intervalMs: config.PROBE_INTERVAL_MS,
        timeoutMs: config.PROBE_TIMEOUT_MS,
        rise: config.RISE,
        fall: config.FALL,
        restartBudget: config.RESTART_BUDGET,
        budgetWindowS: config.BUDGET_WINDOW_S,
      },
      `Watching ${this.#watched.map((w) => w.target.name).join(', ')} (adapter ${remediator.kind})`,
    )
    this.#loops = this.#watched.map((watched) => this.#loop(watched))
  }

  /** Aborts probes in flight and resolves once every loop has ended. */
  async stop(): Promise<void> {
    this.#abort.abort()
    this.#stall.stop()
    await Promise.all(this.#loops)
    await this.#agent.close()
    await this.#options.remediator.close()
  }

  status() {
    const now = this.#now()
    const { config, remediator } = this.#options
    return {
      adapter: remediator.kind,
      settings: {
        probeIntervalMs: config.PROBE_INTERVAL_MS,
        probeTimeoutMs: config.PROBE_TIMEOUT_MS,
        rise: config.RISE,
        fall: config.FALL,
        restartBudget: config.RESTART_BUDGET,
        budgetWindowS: config.BUDGET_WINDOW_S,
        backoffBaseMs: config.BACKOFF_BASE_MS,
        backoffMaxMs: config.BACKOFF_MAX_MS,
        startPeriodMs: config.START_PERIOD_MS,
        drainGraceS: config.DRAIN_GRACE_S,
        stopTimeoutS: config.STOP_TIMEOUT_S,
      },
      targets: this.#watched.map(({ target, tracker, lastProbe }) => ({
        name: target.name,
        url: target.url,
        ...tracker.snapshot(now),
        lastProbe: lastProbe && {
          at: new Date(lastProbe.at).toISOString(),
          sample: lastProbe.sample.kind,
          live: {
            result: lastProbe.live.result,
            status: lastProbe.live.status,
            durationMs: round(lastProbe.live.durationMs),
          },
          ready: {
            result: lastProbe.ready.result,
            status: lastProbe.ready.status,
            durationMs: round(lastProbe.ready.durationMs),
          },
          ...(lastProbe.sample.kind === 'dead' && { error: lastProbe.sample.error }),
        },
      })),
    }
  }

  async #loop(watched: Watched): Promise<void> {
    const { config, metrics, remediator } = this.#options
    const { signal } = this.#abort
    const { name, url } = watched.target
    while (!signal.aborted) {
      const roundStarted = performance.now()
      const round = await probeTarget(url, {
        dispatcher: this.#agent,
        timeoutMs: config.PROBE_TIMEOUT_MS,
        signal,
      })
      if (signal.aborted) break
      const stalledMs = Math.round(this.#stall.longestSince(roundStarted))
      watched.lastProbe = round
      metrics.observeProbe(name, 'live', round.live.result, round.live.durationMs / 1000)
      metrics.observeProbe(name, 'ready', round.ready.result, round.ready.durationMs / 1000)
      if (this.#inconclusive(name, round, stalledMs)) {
        await this.#untilNextRound(roundStarted)
        continue
      }
      // Bounded by the shutdown too: a slow control plane must not hold the watcher's exit.
      const process = needsProcessInfo(round)
        ? await untilAborted(remediator.processInfo(name), signal).catch(() => undefined)
        : undefined
      if (signal.aborted) break
      if (watched.tracker.observe(round.sample, process, this.#now()) === 'restart')
        await this.#remediate(watched)
      metrics.setBudgetRemaining(name, watched.tracker.budgetRemaining(this.#now()))
      await this.#untilNextRound(roundStarted)
    }
  }

  /** Fixed rate: a round that took long (a probe timing out) is not followed by a whole interval more. */
  async #untilNextRound(roundStarted: number): Promise<void> {
    const waitMs = this.#options.config.PROBE_INTERVAL_MS - (performance.now() - roundStarted)
    if (waitMs > 0) await sleep(waitMs, undefined, { signal: this.#abort.signal }).catch(() => undefined)
  }

  /**
   * A liveness timeout while the watcher itself was stalled longer than the tolerance says
   * nothing about the target (stall-meter.ts): it is logged and not counted either way.
   */
  #inconclusive(name: string, round: ProbeRound, stalledMs: number): boolean {
    const { config, logger } = this.#options
    if (round.sample.kind !== 'dead' || !round.sample.timedOut) return false
    if (stalledMs <= config.PROBE_STALL_TOLERANCE_MS) return false
    logger.info(
      { target: name, stalledMs, toleranceMs: config.PROBE_STALL_TOLERANCE_MS },
      `Probe of ${name} timed out while the watcher itself was stalled ${stalledMs} ms: not counted`,
    )
    return true
  }

  async #remediate({ target, tracker }: Watched): Promise<void> {
    const { logger, metrics, isDraining } = this.#options
    if (isDraining()) return
    tracker.restartStarted(this.#now())
    const started = performance.now()
    const outcome = await untilAborted(this.#attempt(target.name), this.#abort.signal)
    if (outcome === undefined) return
    tracker.restartFinished(outcome.result, this.#now())
    const durationMs = Math.round(performance.now() - started)
    if (!('reason' in outcome)) {
      metrics.restarted(target.name)
      logger.info({ target: target.name, durationMs }, `Restarted ${target.name} in ${durationMs} ms`)
    } else {
      metrics.remediationFailed(target.name, outcome.reason)
      logger.warn(
        { target: target.name, reason: outcome.reason, durationMs },
        `Restart of ${target.name} ${outcome.result.kind === 'failed' ? 'failed' : 'not attempted'}: ${outcome.result.detail}`,
      )
    }
  }

  async #attempt(name: string): Promise<Attempt> {
    try {
      await this.#options.restart.fire(name)
      return { result: { kind: 'ok' } }
    } catch (error) {
      const cause = (error as { cause?: { code?: string; name?: string } }).cause
      const detail = (error as Error).message
      if (cause?.code === 'EOPENBREAKER')
        return { result: { kind: 'not_attempted', detail }, reason: 'circuit_open' }
      if (cause?.name === 'NotOptedInError')
        return { result: { kind: 'not_attempted', detail }, reason: 'not_opted_in' }
      return { result: { kind: 'failed', detail }, reason: cause?.code === 'ETIMEDOUT' ? 'timeout' : 'error' }
    }
  }

  #onTransition(transition: Transition): void {
    const { logger, metrics } = this.#options
    metrics.setState(transition.target, transition.to)
    const level = transition.to === 'given_up' ? 'error' : transition.to === 'down' ? 'warn' : 'info'
    logger[level](
      { target: transition.target, from: transition.from, to: transition.to, reason: transition.reason },
      `Target ${transition.target}: ${transition.from} -> ${transition.to} (${transition.reason})`,
    )
  }
}

/**
 * Only a failed liveness probe raises the question "crashed, stopped on purpose, hung, or still
 * booting?". A timeout says something accepted the connection, but not since when: only the
 * control plane's start time tells a hang from a process started a moment ago (by a user's
 * `lab start`, say) that is still warming up, so every failed probe asks it.
 */
function needsProcessInfo(round: ProbeRound): boolean {
  return round.sample.kind === 'dead'
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

/** The promise's value, or undefined as soon as the signal aborts (the promise is left to settle alone). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
