/**
 * Load shedding with @fastify/under-pressure, registered inside the scope of the
 * service's own routes only: probes, readiness, /metrics and /admin live outside that
 * scope, so they keep answering exactly when the service is overloaded.
 */
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import { ServiceError } from './errors.js'
import type { ServiceMetrics } from './metrics.js'

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

/** Registers shedding on `scope`; returns a function telling whether the scope is under pressure now. */
export async function registerShedding(
  scope: FastifyInstance,
  settings: SheddingSettings,
  metrics: ServiceMetrics,
): Promise<() => boolean> {
  await scope.register(underPressure, {
    maxEventLoopDelay: settings.maxEventLoopDelayMs,
    maxHeapUsedBytes: settings.maxHeapUsedBytes,
    maxRssBytes: settings.maxRssBytes,
    maxEventLoopUtilization: settings.maxEventLoopUtilization,
    sampleInterval: settings.sampleIntervalMs,
    pressureHandler: (_request, _reply, type) => {
      const reason = REASONS[type] ?? type
      metrics.shedTotal.inc({ reason })
      throw new ServiceError('OVERLOADED', `Overloaded (${reason}); retry later`, { retryAfterS: settings.retryAfterS })
    },
  })
  return () => scope.isUnderPressure()
}
