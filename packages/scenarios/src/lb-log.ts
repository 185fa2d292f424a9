/**
 * nginx_lb's membership lines, as the scenarios read them from its log (the control API's logs,
 * both targets). One place for their formats, written by:
 *   native   the supervisor's lb-membership (run-stack.ts describeChange):
 *            "[12:00:01] nginx_lb: app_fast_1 out of rotation (down): ..." / "... back in rotation: ..."
 *   compose  nginx_lb's follower (infra/docker/nginx-upstream-follower.sh), one line a reload:
 *            "nginx-entrypoint: upstream addresses now 127.0.0.1:8000 down,10.89.0.4:8000,... (reader_1:
 *            app_fast_1 at 10.89.0.5 answers /health/ready 200); reloading nginx, ..." (servers in the
 *            order reader_1, reader_2, writer; `down` marked)
 */

/** native: a replica taken out of or put back in rotation */
export const NATIVE_MEMBERSHIP_CHANGE = /nginx_lb: (\S+) (out of rotation|back in rotation)/

/** compose: the upstream servers a reload rendered, comma-separated */
export const COMPOSE_UPSTREAM_ADDRESSES = /upstream addresses now (.*?) \(/

/**
 * A line saying `replica` was just put back in rotation: natively the supervisor's, in compose
 * the follower's readiness-gated re-admission (a restarted container is always gated).
 */
export function backInRotation(replica: string): RegExp {
  return new RegExp(`${replica} (back in rotation|at \\S+ answers /health/ready 200)`)
}
