/**
 * Admission bounds: a request that would wait too long is refused at once (503 OVERLOADED)
 * instead of being served late. The event-loop-delay check (shedding.ts) reacts to a sampled
 * mean, every SHED_SAMPLE_INTERVAL_MS; under a CPU limit the loop kept its mean delay under
 * the threshold while admitted requests queued for seconds: 200 clients on the half-core
 * writer through nginx answered in 434 ms at p50 and 5.0 s at worst with nothing shed.
 *
 *   in flight    requests being served (probes included) above SHED_MAX_IN_FLIGHT: the wait of
 *                those admitted stays near in-flight / throughput (Little's law)
 *   queue time   how long the request waited between the proxy and this hook, from the
 *                proxy's `X-Request-Start: t=<epoch seconds or ms>` (nginx's $msec; the
 *                convention of Heroku's router and New Relic's queue time), above
 *                SHED_MAX_QUEUE_MS: a request that already waited is refused before it costs
 *                a handler. Requests without the header (direct clients) skip this check.
 */
import type { FastifyInstance } from 'fastify'
import { ServiceError } from './errors.js'
import type { ServiceMetrics } from './metrics.js'
import type { LifecycleState } from './state.js'

export interface AdmissionSettings {
  /** count: requests in flight (this one included) above which a new one is refused; 0 disables */
  maxInFlight: number
  /** milliseconds a request may have waited since the proxy sent it; 0 disables */
  maxQueueMs: number
  /** seconds */
  retryAfterS: number
}

/** The label values of http_requests_shed_total for these bounds. */
export const ADMISSION_REASONS = { inFlight: 'in_flight', queueTime: 'queue_time' } as const

/** The header a proxy stamps with the time it sent the request on. */
export const REQUEST_START_HEADER = 'x-request-start'

/** Below this a timestamp is in seconds (nginx's $msec), above it in milliseconds. */
const SECONDS_UNTIL = 1e11

/** Epoch milliseconds from `t=1733230000.123` or `t=1733230000123` (or without `t=`); NaN if neither. */
export function requestStartMs(header: string | string[] | undefined): number {
  if (typeof header !== 'string') return Number.NaN
  const value = Number(header.startsWith('t=') ? header.slice(2) : header)
  if (!Number.isFinite(value) || value <= 0) return Number.NaN
  return value < SECONDS_UNTIL ? value * 1000 : value
}

function overloaded(reason: string, retryAfterS: number): ServiceError {
  return new ServiceError('OVERLOADED', `Overloaded (${reason}); retry later`, { retryAfterS })
}

/**
 * Registers the bounds on `scope`. The in-flight count is the lifecycle's own (every request
 * from its first hook to its socket's close), so each check costs a comparison or two.
 */
export function registerAdmission(
  scope: FastifyInstance,
  settings: AdmissionSettings,
  metrics: ServiceMetrics,
  state: LifecycleState,
): void {
  for (const reason of Object.values(ADMISSION_REASONS)) metrics.shedTotal.inc({ reason }, 0)
  const { maxInFlight, maxQueueMs, retryAfterS } = settings
  if (maxInFlight <= 0 && maxQueueMs <= 0) return
  scope.addHook('onRequest', (request, _reply, done) => {
    let reason: string | undefined
    if (maxInFlight > 0 && state.inFlightCount > maxInFlight) reason = ADMISSION_REASONS.inFlight
    else if (maxQueueMs > 0) {
      const startMs = requestStartMs(request.headers[REQUEST_START_HEADER])
      if (Date.now() - startMs > maxQueueMs) reason = ADMISSION_REASONS.queueTime
    }
    if (reason === undefined) return done()
    metrics.shedTotal.inc({ reason })
    done(overloaded(reason, retryAfterS))
  })
}
