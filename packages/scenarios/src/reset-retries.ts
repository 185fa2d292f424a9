/**
 * The bound on the one retry a read through the load balancer gets after a connection reset
 * (arrange.ts lbReadRetry). The retry exists for one cause: an nginx reload closes its old
 * workers' idle keep-alive connections, and a read sent on one at that instant is reset. A
 * reload closes each connection once, so a load on C connections through R reloads can see at
 * most R x C resets. The retries used to be counted and shown but never bounded: a stack that
 * reset every read passed every check with every read retried. Each check that reads through
 * the load balancer now states its bound (the reloads its own steps cause) and fails above it.
 */
import type { LoadRun } from '@production-lab/load'

export interface ResetRetries {
  /** reads retried after a reset */
  retried: number
  /** the most this check accepts: reloads x connections */
  max: number
  withinBound: boolean
  /** for the check's `expected` */
  bound: string
  /** for the check's `actual` */
  seen: string
}

/**
 * `reloads`: the nginx reloads the check's own steps cause (natively the supervisor's, in
 * compose nginx_lb's follower: one when a reader leaves, one when it is ready again).
 */
export function resetRetries(run: Pick<LoadRun, 'connections' | 'summary'>, reloads: number): ResetRetries {
  const max = reloads * run.connections
  const retried = run.summary.retried
  return {
    retried,
    max,
    withinBound: retried <= max,
    bound: `at most ${max} read${max === 1 ? '' : 's'} retried after a connection reset (${reloads} nginx reload${reloads === 1 ? '' : 's'} x ${run.connections} connection${run.connections === 1 ? '' : 's'}, one reset each at most)`,
    seen: `${retried} retried after a connection reset (at most ${max})`,
  }
}
