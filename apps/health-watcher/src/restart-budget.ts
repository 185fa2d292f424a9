/**
 * The restart budget of one target: at most `budget` restarts within a sliding window, the
 * first at once and each further one an exponentially growing wait after the target was seen
 * failing again (as Kubernetes' CrashLoopBackOff: the wait follows the crash, so a service that
 * takes seconds to crash still gets growing gaps), never in a tight loop.
 * Time is passed in (milliseconds), so tests drive it with a fake clock.
 */
export interface BudgetSettings {
  /** restarts allowed within the window */
  budget: number
  /** milliseconds */
  windowMs: number
  /** milliseconds: the wait before the second restart in the window */
  backoffBaseMs: number
  /** milliseconds: the longest wait */
  backoffMaxMs: number
}

export type BudgetVerdict = { kind: 'allowed' } | { kind: 'wait'; untilMs: number } | { kind: 'spent' }

export class RestartBudget {
  readonly #settings: BudgetSettings
  /** times of the restarts still inside the window, oldest first */
  #restarts: number[] = []

  constructor(settings: BudgetSettings) {
    this.#settings = settings
  }

  /** Restarts counted in the window at `now`. */
  used(now: number): number {
    this.#forgetOlderThanWindow(now)
    return this.#restarts.length
  }

  remaining(now: number): number {
    return Math.max(0, this.#settings.budget - this.used(now))
  }

  /** The wait after the n-th restart of the window (n >= 1): base, 2 x base, 4 x base, ... capped. */
  backoffAfter(n: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.#settings
    return Math.min(backoffMaxMs, backoffBaseMs * 2 ** (n - 1))
  }

  /** May a restart happen at `now`, for a failure seen at `failedAt`? */
  verdict(now: number, failedAt: number): BudgetVerdict {
    const used = this.used(now)
    if (used >= this.#settings.budget) return { kind: 'spent' }
    if (used === 0) return { kind: 'allowed' }
    const untilMs = failedAt + this.backoffAfter(used)
    return now >= untilMs ? { kind: 'allowed' } : { kind: 'wait', untilMs }
  }

  record(now: number): void {
    this.#restarts.push(now)
  }

  /** A target that recovered gets its whole budget back. */
  reset(): void {
    this.#restarts = []
  }

  #forgetOlderThanWindow(now: number): void {
    const oldest = now - this.#settings.windowMs
    while (this.#restarts.length > 0 && (this.#restarts[0] as number) <= oldest) this.#restarts.shift()
  }
}
