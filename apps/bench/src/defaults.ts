/**
 * Every setting of the benchmark in one place, with its unit. `--quick` swaps in the
 * smaller plan so a smoke run stays under a minute.
 */
import { readerDefaults } from '@production-lab/reader'

export interface BenchPlan {
  /** alternating rounds per comparison; each figure is the median over them */
  rounds: number
  /** seconds of load per variant per round */
  roundDurationS: number
  /** seconds of unmeasured load per variant before the first round (JIT, connection pools) */
  warmupS: number
  /** seconds of load per latency-fidelity measurement */
  fidelityDurationS: number
  /** rounds of each latency-fidelity measurement */
  fidelityRounds: number
  /** spawn -> ready and shutdown measurements per service */
  lifecycleSamples: number
  /** the curve section: offered loads (req/s) of the open-model sweep, low to past saturation */
  curveRatesRps: readonly number[]
  /** seconds per curve step */
  curveStepS: number
  /** the growth section: concurrent clients of the concurrency sweep (GET /read, the guide's body) */
  growthConnections: readonly number[]
  /**
   * the growth section: response sizes of the size sweep, bytes (`GET /read?bytes=N`); 0 is the
   * guide's own answer (no parameter)
   */
  growthResponseBytes: readonly number[]
  /** the growth section: alternating rounds over all its points; each figure is the median */
  growthRounds: number
  /** the growth section: seconds of load per point per round */
  growthPointS: number
  /** the growth section: seconds of unmeasured load per point before the first round (0: none) */
  growthWarmupS: number
}

export const FULL_PLAN: BenchPlan = {
  rounds: 5,
  roundDurationS: 4,
  warmupS: 2,
  fidelityDurationS: 3,
  fidelityRounds: 3,
  lifecycleSamples: 3,
  curveRatesRps: [100, 200, 400, 800, 1200, 1600, 2400, 3200],
  curveStepS: 3,
  growthConnections: [1, 10, 50, 100, 200, 400],
  growthResponseBytes: [0, 1024, 4096, 16_384, readerDefaults.maxReadBytes],
  growthRounds: 2,
  growthPointS: 2.5,
  growthWarmupS: 0.5,
}

export const QUICK_PLAN: BenchPlan = {
  rounds: 3,
  roundDurationS: 1,
  warmupS: 0.5,
  fidelityDurationS: 1,
  fidelityRounds: 1,
  lifecycleSamples: 1,
  curveRatesRps: [200, 800, 1600, 3200],
  curveStepS: 1,
  growthConnections: [1, 50, 400],
  growthResponseBytes: [0, 4096, readerDefaults.maxReadBytes],
  growthRounds: 1,
  growthPointS: 2,
  growthWarmupS: 0.3,
}

export const defaults = {
  /** first TCP port of the benchmark's own servers (127.0.0.1); the next few are used too */
  portBase: 17700,
  /** where the JSON report, rendered nginx config and service logs go, relative to the repo root */
  outDir: '.lab/bench',
  /** concurrent keep-alive clients of the throughput comparison (the guide's ab -c 50) */
  connections: 50,
  /** the latency-fidelity concurrencies: one client, then the guide's 50 */
  fidelityConnections: [1, 50] as const,
  /** ms: the route's simulated I/O wait in the layer comparison (0 = measure the layers' CPU cost alone) */
  layerDelayMs: 0,
  /** ms: the reader's configured read (the lab's 5 ms) */
  readDelayMs: 5,
  /** ms: the writer's configured write (the lab's 50 ms) */
  writeDelayMs: 50,
  /**
   * ms: event-loop delay at which the servers under load shed. Shedding stays on (its check
   * runs on every request, which is the cost measured), but above the services' 200 ms: on a
   * shared, overloaded machine a trip would measure the machine, and nginx would eject both
   * readers for its fail_timeout and break the run.
   */
  shedEventLoopDelayMs: 1000,
  /** s: the shutdown delay used when timing shutdown (shorter than the lab's 3 s to keep the run short) */
  shutdownDelayS: 1,
  /** idle keep-alive clients connected while a service shuts down */
  idleKeepAliveClients: 10,
  /** ms: how long a service may take to become ready before the run fails (generous: a busy 2-core machine starts six at once) */
  readyTimeoutMs: 30_000,
  /** ms: how often /health/ready is polled while waiting for a service */
  readyPollMs: 5,
  /** ms: idle time after ready before RSS is read (lets start-up garbage settle) */
  idleSettleMs: 1000,
  /** ms: how long a stopped process may take to exit before it is killed */
  exitTimeoutMs: 10_000,
  /**
   * 0..1: a growth point whose whole machine (all cores, /proc/stat) was at least this busy is
   * marked machine-bound: the cores, not the code, set its rps and p99
   */
  machineBoundBusyShare: 0.9,
} as const
