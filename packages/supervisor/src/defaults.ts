/**
 * Every timing and size of the native supervisor in one place, with its unit. The apps' stop
 * timeout and the services' shutdown timings are the stack's contract (@production-lab/stack).
 */
export const stackDefaults = {
  /** milliseconds between readiness polls while waiting for a service */
  readyPollIntervalMs: 200,
  /** seconds a service may take to answer its readiness probe after it was started */
  readyTimeoutS: 30,
  /** milliseconds one health probe (ps, readiness) may take */
  probeTimeoutMs: 1000,
  /** seconds between the stop signal and SIGKILL for nginx, Prometheus and the exporter */
  infraStopTimeoutS: 10,
  /** log lines shown when a service fails to become ready */
  failureLogLines: 20,
  /** log lines `lab logs` shows by default */
  logTailLines: 100,
  /** milliseconds between checks of a followed log file for new lines */
  followPollIntervalMs: 200,
  /** milliseconds a process's exit waits for its last output to reach the log file */
  logDrainTimeoutMs: 500,
  /** milliseconds of quiet after a source change before watch mode rebuilds */
  watchDebounceMs: 300,
} as const
