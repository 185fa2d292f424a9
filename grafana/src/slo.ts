/**
 * The lab's service level objectives, drawn as threshold lines on the dashboards. The
 * alert rules read the same numbers from the recording rule
 * route:slo_latency_p99_threshold_seconds (prometheus/rules/recording.rules.yml); a test
 * checks the two agree.
 */

/** seconds: p99 latency objective of GET /read (5 ms of work, served by two replicas). */
export const READ_P99_SLO_S = 0.025

/** seconds: p99 latency objective of POST /write (50 ms of work on the primary). */
export const WRITE_P99_SLO_S = 0.1

/** share of requests: the nginx read split the upstream weights 3:1 aim at. */
export const READ_SPLIT_TARGET: Record<string, number> = { app_fast_1: 0.75, app_fast_2: 0.25 }

/** 0..1: CPU or memory use as a share of the limit from which the alerts fire. */
export const NEAR_LIMIT_RATIO = 0.9
