/**
 * Exponential backoff with full jitter (each wait uniformly random between 0 and
 * min(cap, base * 2^attempt)): retries from many clients spread out instead of
 * arriving together at a recovering server.
 */

export interface BackoffPolicy {
  /** milliseconds: the cap of the first wait */
  baseDelayMs: number
  /** milliseconds: no wait is longer */
  maxDelayMs: number
}

/** The upper bound of the wait before retry number `retry` (0 = the first retry). */
export function backoffCapMs(policy: BackoffPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
}

/** The wait before retry number `retry`, drawn with full jitter from `random` (0 <= r < 1). */
export function backoffDelayMs(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCapMs(policy, retry))
}
