/**
 * Every default of the watcher in one place, with its unit and why. Env overrides them (config.ts).
 * With these, a crashed service is restarted on the next probe (within about 1 s), a hung one
 * after fall x max(interval, timeout) = 12 s (probes run at a fixed rate), and a crash-looping
 * one is given up on after 3 restarts spaced 1 s and 2 s apart.
 */
export const watcherDefaults = {
  /** milliseconds between two probes of one target: a crash is seen within about one interval. */
  probeIntervalMs: 1000,
  /**
   * milliseconds one probe (liveness and readiness, in parallel) may take: the line between a
   * slow event loop and a hung one. /health/live answers in about 1 ms and sits outside load
   * shedding, but a writer shedding 300 concurrent clients at its 0.5-core limit answers it in
   * over 1 s: with 1 s the watcher called such a writer down and restarted it mid-overload
   * (issue 15, B5: 3 restarts in 5 rounds). A hung loop answers never, so 4 s costs only hang
   * detection time (fall x 4 s = 12 s; W3), never a crash's (a refused connection is at once).
   */
  probeTimeoutMs: 4000,
  /**
   * milliseconds the watcher itself may have been frozen at once (its CPU quota spent, a
   * saturated machine) during a probe for a timeout to still count against the target: below
   * it the target had at least 3 s of the 4 s timeout to answer a 1 ms probe (stall-meter.ts
   * measures the longest single freeze). Above it the probe is logged and not counted.
   */
  probeStallToleranceMs: 1000,
  /** consecutive good probes before a target counts as up again (one lucky probe is not recovery). */
  rise: 2,
  /**
   * consecutive liveness failures before a running target is called down and restarted: one or
   * two lost probes are noise (a GC pause, a restart of the probe connection), three is a hang.
   */
  fall: 3,
  /** restarts of one target allowed within the budget window before the watcher gives up on it. */
  restartBudget: 3,
  /** seconds: the window the restart budget counts in. */
  budgetWindowS: 300,
  /** milliseconds before the second restart in the window; it doubles for each further one. */
  backoffBaseMs: 1000,
  /** milliseconds: the longest wait between two restarts. */
  backoffMaxMs: 30_000,
  /**
   * milliseconds after a restart during which liveness failures do not count (the services are
   * ready in well under 1 s; 10 s covers a slow machine). A process that exits still counts.
   */
  startPeriodMs: 10_000,
  /**
   * seconds a draining target may fail liveness before it counts as hung: above the services'
   * SHUTDOWN_TIMEOUT_S (15 s), after which a healthy drain has ended on its own.
   */
  drainGraceS: 30,
  /** seconds a restart waits for a dead target's process to stop before SIGKILL: it cannot drain anyway. */
  stopTimeoutS: 2,
  /** milliseconds one remediation call (stop + start through the adapter) may take before it counts as failed. */
  remediationTimeoutMs: 30_000,
  /** remediation calls in the breaker's window before it may open (restarts are rare, so few). */
  remediationBreakerVolume: 3,
  /** milliseconds the startup check waits for the control API or Docker socket to answer. */
  startupCheckTimeoutMs: 5000,
  /** Docker Engine API socket. */
  dockerSocket: '/var/run/docker.sock',
  /** the container label that opts a container in to restarts by the watcher (docker adapter). */
  autohealLabel: 'lab.autoheal',
} as const
