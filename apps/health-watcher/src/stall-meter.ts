/**
 * How long the watcher itself could not run. A probe that times out while the prober was
 * frozen (its container's CPU quota spent, the machine saturated) says nothing about the
 * target: the answer may have been waiting in the socket. Counting such timeouts restarted
 * healthy services in bursts, all targets at once, on a busy machine. The meter ticks every
 * TICK_MS on the watcher's own event loop; any delay of a tick beyond it is time the watcher
 * was stalled. One meter serves every probe loop: each reads the total before and after.
 */
import { performance } from 'node:perf_hooks'

/** milliseconds between two ticks: fine enough to see a CFS throttle period (100 ms) */
const TICK_MS = 20

export class StallMeter {
  #totalMs = 0
  #last = performance.now()
  readonly #timer: NodeJS.Timeout

  constructor() {
    this.#timer = setInterval(() => {
      const now = performance.now()
      this.#totalMs += Math.max(0, now - this.#last - TICK_MS)
      this.#last = now
    }, TICK_MS)
    this.#timer.unref()
  }

  /** milliseconds stalled since the meter started (read before and after a probe, subtract) */
  get totalMs(): number {
    // The stall in progress counts too: the tick that would record it has not run yet.
    return this.#totalMs + Math.max(0, performance.now() - this.#last - TICK_MS)
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
