/**
 * Prometheus metrics for one service, on its own registry (so several services can
 * live in one process, as tests do). Every series carries `service`. Request metrics
 * are recorded once per response, in the same hook as the access line.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { LIFECYCLE_STATES, type LifecycleState } from './state.js'

/**
 * Seconds. From 1 ms to 10 s, fine around the lab's 5 ms reads and 50 ms writes and
 * with the SLO thresholds (25 ms reads, 100 ms writes, nginx's 5 s timeout) as bounds,
 * so histogram_quantile and SLO ratios are exact where it matters.
 */
export const LATENCY_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.006, 0.0075, 0.01, 0.025, 0.05, 0.055, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]

/** The `route` label of requests that matched no route: one series, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched'

export const BREAKER_STATES = ['closed', 'half_open', 'open'] as const
export type BreakerStateName = (typeof BREAKER_STATES)[number]

export interface ServiceMetricsOptions {
  service: string
  state: LifecycleState
  cpuLimitCores: number
  memoryLimitBytes: number
}

export class ServiceMetrics {
  readonly registry = new Registry()
  readonly #requestDuration: Histogram<'method' | 'route' | 'status_code'>
  readonly #requestsTotal: Counter<'method' | 'route' | 'status_code'>
  readonly shedTotal: Counter<'reason'>
  readonly breakerState: Gauge<'breaker' | 'state'>
  readonly breakerEvents: Counter<'breaker' | 'event'>

  constructor(options: ServiceMetricsOptions) {
    const registers = [this.registry]
    this.registry.setDefaultLabels({ service: options.service })
    collectDefaultMetrics({ register: this.registry })
    this.#requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request received to response sent, by route template and status.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    })
    this.#requestsTotal = new Counter({
      name: 'http_requests_total',
      help: 'Requests answered, by route template and status.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    })
    const { state } = options
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests received and not yet answered.',
      registers,
      collect() {
        this.set(state.inFlightCount)
      },
    })
    new Gauge({
      name: 'lifecycle_state',
      help: 'The lifecycle state of the process: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        for (const name of LIFECYCLE_STATES) this.set({ state: name }, state.name === name ? 1 : 0)
      },
    })
    this.shedTotal = new Counter({
      name: 'http_requests_shed_total',
      help: 'Requests refused with 503 by load shedding, by the threshold that was exceeded.',
      labelNames: ['reason'],
      registers,
    })
    this.breakerState = new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state: 1 for the current state, 0 for the others.',
      labelNames: ['breaker', 'state'],
      registers,
    })
    this.breakerEvents = new Counter({
      name: 'circuit_breaker_events_total',
      help: 'Circuit breaker events (success, failure, timeout, reject, open, half_open, close).',
      labelNames: ['breaker', 'event'],
      registers,
    })
    new Gauge({
      name: 'service_cpu_limit_cores',
      help: 'CPU limit applied to the service from outside (cgroup or container), in cores; 0 when none.',
      registers,
    }).set(options.cpuLimitCores)
    new Gauge({
      name: 'service_memory_limit_bytes',
      help: 'Memory limit applied to the service from outside (cgroup or container); 0 when none.',
      registers,
    }).set(options.memoryLimitBytes)
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) }
    this.#requestDuration.observe(labels, seconds)
    this.#requestsTotal.inc(labels)
  }
}
