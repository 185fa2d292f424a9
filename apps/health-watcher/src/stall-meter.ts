/**
 * How long the watcher itself could not run. A probe that times out while the prober was
 * frozen (its container's CPU quota spent, the machine saturated) says nothing about the
 * target: the answer may have been waiting in the socket. Counting such timeouts restarted
 * healthy services in bursts, all targets at once, on a busy machine.
 *
 * What matters is the longest single freeze during the probe, not the sum of all lateness: if
 * the event loop never stopped for more than S ms, an answer that arrived was read within S ms,
 * so a timeout of T ms means the target did not answer within T - S. The sum misleads: on a
 * 2-core machine at load 18 the loop still ran every few tens of ms, yet the summed lateness
 * of a 4 s probe came to 1.1-3.0 s, and a hung reader (W3) went unrestarted for its whole hang.
 *
 * The meter ticks every TICK_MS on the watcher's own event loop and keeps the late ticks of
 * the last HISTORY_MS; a probe asks for the longest stall since it began.
 */
import { performance } from 'node:perf_hooks'

/** milliseconds between two ticks: fine enough to see a CFS throttle period (100 ms) */
const TICK_MS = 20
/** milliseconds of stalls kept: longer than any probe timeout the config allows in practice */
const HISTORY_MS = 120_000
/** milliseconds of lateness below which a tick is not recorded (timer jitter) */
const RECORD_ABOVE_MS = 5

export class StallMeter {
  #last = performance.now()
  /** late ticks: when the stall ended (performance.now()) and how long it was */
  #stalls: Array<{ endedAt: number; stalledMs: number }> = []
  readonly #timer: NodeJS.Timeout

  constructor() {
    this.#timer = setInterval(() => {
      const now = performance.now()
      const stalledMs = now - this.#last - TICK_MS
      if (stalledMs > RECORD_ABOVE_MS) this.#stalls.push({ endedAt: now, stalledMs })
      while ((this.#stalls[0]?.endedAt ?? now) < now - HISTORY_MS) this.#stalls.shift()
      this.#last = now
    }, TICK_MS)
    this.#timer.unref()
  }

  /** milliseconds of the longest single stall that ended after `since` (performance.now()), the one in progress included */
  longestSince(since: number): number {
    let longest = Math.max(0, performance.now() - this.#last - TICK_MS)
    for (const stall of this.#stalls) if (stall.endedAt >= since) longest = Math.max(longest, stall.stalledMs)
    return longest
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
