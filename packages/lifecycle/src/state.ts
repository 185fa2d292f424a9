/**
 * The one owner of "where is this process in its life": starting -> ready -> draining,
 * and how many requests are in flight. Health, readiness, the request gate and the
 * metrics read it; only `start()` and the shutdown sequence change it.
 */
import type { FastifyRequest } from 'fastify'

export const LIFECYCLE_STATES = ['starting', 'ready', 'draining'] as const
export type LifecycleStateName = (typeof LIFECYCLE_STATES)[number]

export class LifecycleState {
  #name: LifecycleStateName = 'starting'
  #readySinceMs: number | undefined
  readonly #inFlight = new Set<FastifyRequest>()
  #idleWaiters: Array<() => void> = []

  get name(): LifecycleStateName {
    return this.#name
  }

  get draining(): boolean {
    return this.#name === 'draining'
  }

  get inFlightCount(): number {
    return this.#inFlight.size
  }

  /** What is still running, for the log line when the shutdown timeout cuts it. */
  inFlightSummary(
    now = performance.now(),
  ): Array<{ method: string; url: string; requestId: string; ageMs: number }> {
    return [...this.#inFlight].map((request) => ({
      method: request.method,
      url: request.url,
      requestId: String(request.id),
      ageMs: Math.round(now - (request as FastifyRequest & { startedAt: number }).startedAt),
    }))
  }

  /** performance.now() when the service became ready; undefined before. */
  get readySinceMs(): number | undefined {
    return this.#readySinceMs
  }

  markReady(): void {
    if (this.#name !== 'starting') return
    this.#name = 'ready'
    this.#readySinceMs = performance.now()
  }

  beginDrain(): void {
    this.#name = 'draining'
  }

  requestStarted(request: FastifyRequest): void {
    ;(request as FastifyRequest & { startedAt: number }).startedAt = performance.now()
    this.#inFlight.add(request)
  }

  requestFinished(request: FastifyRequest): void {
    if (!this.#inFlight.delete(request) || this.#inFlight.size > 0) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }
}
