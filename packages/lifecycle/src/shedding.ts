/**
 * Load shedding with @fastify/under-pressure, registered inside the scope of the
 * service's own routes only: probes, readiness, /metrics and /admin live outside that
 * scope, so they keep answering exactly when the service is overloaded.
 */
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import { ServiceError } from './errors.js'
import type { ServiceMetrics } from './metrics.js'
import type { LifecycleState } from './state.js'

export interface SheddingSettings {
  /** milliseconds; 0 disables */
  maxEventLoopDelayMs: number
  /** bytes; 0 disables */
  maxHeapUsedBytes: number
  /** bytes; 0 disables */
  maxRssBytes: number
  /** 0..1; 0 disables */
  maxEventLoopUtilization: number
  /** milliseconds */
  sampleIntervalMs: number
  /** seconds */
  retryAfterS: number
}

/** under-pressure's names for the thresholds, as metric label values. */
const REASONS: Record<string, string> = {
  eventLoopDelay: 'event_loop_delay',
  heapUsedBytes: 'heap_used',
  rssBytes: 'rss',
  eventLoopUtilization: 'event_loop_utilization',
  healthCheck: 'health_check',
}

/**
 * Registers shedding on `scope`; returns a function telling whether the scope is under
 * pressure now.
 *
 * Samples are taken every `sampleIntervalMs` at an arbitrary phase, so the first ones
 * measure the boot (module loading, schema compilation, listen), not load: on a busy
 * machine they alone exceed the event-loop threshold and a fresh service would refuse
 * its first requests. Pressure counts only once a whole sample lies after the service
 * became ready, that is two intervals after it.
 */
export async function registerShedding(
  scope: FastifyInstance,
  settings: SheddingSettings,
  metrics: ServiceMetrics,
  state: LifecycleState,
): Promise<() => boolean> {
  const measuresLoad = () => {
    const readySince = state.readySinceMs
    return readySince !== undefined && performance.now() - readySince >= 2 * settings.sampleIntervalMs
  }
  // Every reason starts at 0, so rate() and the LoadShedding alert see the first burst too
  // (a counter that appears with its first increment has no earlier sample to rate against).
  for (const reason of Object.values(REASONS)) metrics.shedTotal.inc({ reason }, 0)
  await scope.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    maxHeapUsedBytes: settings.maxHeapUsedBytes,
    maxRssBytes: settings.maxRssBytes,
    maxEventLoopUtilization: settings.maxEventLoopUtilization,
    sampleInterval: settings.sampleIntervalMs,
    // Returning nothing lets the request through; a rejected promise answers the error.
    pressureHandler: async (_request, _reply, type) => {
      if (!measuresLoad()) return
      const reason = REASONS[type] ?? type
      metrics.shedTotal.inc({ reason })
      throw new ServiceError('OVERLOADED', `Overloaded (${reason}); retry later`, {
        retryAfterS: settings.retryAfterS,
      })
    },
  })
  return () => measuresLoad() && scope.isUnderPressure()
}
