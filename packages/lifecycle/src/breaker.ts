/**
 * opossum circuit breakers around outbound dependency calls, with metrics and a log line
 * per transition. An open breaker fails fast with 503 DEPENDENCY_UNAVAILABLE and a
 * Retry-After of the time left before its half-open trial; a breaker marked `required`
 * makes the service not ready while it is open.
 */
import CircuitBreaker from 'opossum'
import type { Logger } from 'pino'
import { ServiceError } from './errors.js'
import { BREAKER_STATES, type BreakerStateName, type ServiceMetrics } from './metrics.js'

export interface BreakerSettings {
  /** milliseconds */
  timeoutMs: number
  /** percent */
  errorThresholdPercent: number
  /** calls */
  volumeThreshold: number
  /** milliseconds */
  resetTimeoutMs: number
  /** milliseconds */
  rollingWindowMs: number
}

export interface ProtectedCall<A extends unknown[], R> {
  readonly name: string
  readonly state: BreakerStateName
  /** Runs the call through the breaker; failures become ServiceError DEPENDENCY_UNAVAILABLE. */
  fire(...args: A): Promise<R>
}

export class Breakers {
  readonly #settings: BreakerSettings
  readonly #metrics: ServiceMetrics
  readonly #logger: Logger
  readonly #required = new Map<string, CircuitBreaker>()
  readonly #all: CircuitBreaker[] = []

  constructor(settings: BreakerSettings, metrics: ServiceMetrics, logger: Logger) {
    this.#settings = settings
    this.#metrics = metrics
    this.#logger = logger
  }

  create<A extends unknown[], R>(
    name: string,
    call: (...args: A) => Promise<R>,
    options: { required?: boolean } & Partial<BreakerSettings> = {},
  ): ProtectedCall<A, R> {
    const settings = { ...this.#settings, ...options }
    const breaker = new CircuitBreaker(call, {
      name,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercent,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: settings.rollingWindowMs,
      rollingCountBuckets: 10,
      // Nothing here reads opossum's latency percentiles or its snapshot events (the
      // request histogram measures latency); with them on, every call's latency is kept
      // and the whole window is sorted at every bucket and on every failure.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    })
    this.#all.push(breaker)
    if (options.required) this.#required.set(name, breaker)
    this.#instrument(name, breaker, settings)
    let openedAt = 0
    breaker.on('open', () => {
      openedAt = Date.now()
    })
    const stateOf = (): BreakerStateName =>
      breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed'
    return {
      name,
      get state() {
        return stateOf()
      },
      fire: (...args: A): Promise<R> =>
        (breaker.fire(...args) as Promise<R>).catch((error: unknown) => {
          const code = (error as { code?: string }).code
          if (code === 'EOPENBREAKER') {
            const leftMs = Math.max(0, openedAt + settings.resetTimeoutMs - Date.now())
            throw new ServiceError('DEPENDENCY_UNAVAILABLE', `${name} is unavailable: circuit open`, {
              retryAfterS: Math.max(1, Math.ceil(leftMs / 1000)),
              cause: error,
            })
          }
          const reason =
            code === 'ETIMEDOUT' ? `timed out after ${settings.timeoutMs} ms` : (error as Error).message
          throw new ServiceError('DEPENDENCY_UNAVAILABLE', `${name} failed: ${reason}`, {
            retryAfterS: 1,
            cause: error,
          })
        }),
    }
  }

  /** Names of required dependencies whose breaker is open (readiness reads this). */
  openRequired(): string[] {
    return [...this.#required].filter(([, breaker]) => breaker.opened).map(([name]) => name)
  }

  /** Stops the breakers' timers so the process can exit. */
  shutdown(): void {
    for (const breaker of this.#all) breaker.shutdown()
  }

  #instrument(name: string, breaker: CircuitBreaker, settings: BreakerSettings): void {
    const setState = (current: BreakerStateName) => {
      for (const state of BREAKER_STATES)
        this.#metrics.breakerState.set({ breaker: name, state }, state === current ? 1 : 0)
    }
    setState('closed')
    const count = (event: string) => this.#metrics.breakerEvents.inc({ breaker: name, event })
    breaker.on('success', () => count('success'))
    breaker.on('failure', () => count('failure'))
    breaker.on('timeout', () => count('timeout'))
    breaker.on('reject', () => count('reject'))
    breaker.on('open', () => {
      count('open')
      setState('open')
      const { failures, fires } = breaker.stats
      this.#logger.warn(
        { breaker: name, failures, calls: fires, resetTimeoutMs: settings.resetTimeoutMs },
        `Circuit breaker ${name} OPEN: failing fast for ${settings.resetTimeoutMs} ms`,
      )
    })
    breaker.on('halfOpen', () => {
      count('half_open')
      setState('half_open')
      this.#logger.info(
        { breaker: name },
        `Circuit breaker ${name} HALF_OPEN: letting one trial call through`,
      )
    })
    breaker.on('close', () => {
      count('close')
      setState('closed')
      this.#logger.info({ breaker: name }, `Circuit breaker ${name} CLOSED: dependency recovered`)
    })
  }
}
