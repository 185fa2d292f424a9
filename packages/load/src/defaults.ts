/**
 * Every default of the load generator in one place, with its unit.
 * The `lab load` flags and the scenarios override these per run.
 */
export const loadDefaults = {
  /** concurrent connections (closed model: workers; open model: the pool's socket cap) */
  connections: 1,
  /** sockets the open model may use at most, when --connections is not given */
  openModelConnections: 128,
  /** milliseconds: a request (one attempt) slower than this is aborted and counted as a timeout */
  timeoutMs: 10_000,
  /** milliseconds: the first retry waits up to this long (full jitter: uniformly 0..cap) */
  retryBaseDelayMs: 50,
  /** milliseconds: no retry waits longer than this */
  retryMaxDelayMs: 2_000,
  /** milliseconds: how often the progress line is refreshed on a terminal */
  progressIntervalTtyMs: 250,
  /** milliseconds: how often a progress line is printed when stdout is not a terminal */
  progressIntervalPlainMs: 5_000,
  /** requests: the open model never keeps more than this many in flight (bounds memory) */
  maxInFlight: 10_000,
  /** requests kept per run in a report's per-request timeline (evenly sampled above it) */
  reportTimelineMaxPoints: 20_000,
  /** buckets a run's time series is cut into, at most */
  seriesMaxBuckets: 120,
  /** milliseconds: the shortest time-series bucket */
  seriesMinBucketMs: 100,
  /** hosts a load may target without --allow-remote */
  localHosts: ['127.0.0.1', 'localhost', '::1', '[::1]'],
} as const
