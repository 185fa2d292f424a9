/**
 * Saturation: how close each process is to its limits (the guide's 0.5 CPU and 512 MB on
 * app_slow), and the signals that come before failure: event-loop delay, heap, requests
 * in flight, and requests shed.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { labDashboard } from './dashboard-defaults.js'
import { timeSeriesPanel } from './panels.js'
import { NEAR_LIMIT_RATIO } from './slo.js'
import { instanceVariable } from './variables.js'

export const SATURATION_UID = 'lab-saturation'

const selected = 'instance=~"$instance"'

export function saturationDashboard(): dashboard.Dashboard {
  return labDashboard(
    SATURATION_UID,
    'Production Lab / Saturation',
    'CPU and memory against the configured limits, event-loop delay, heap, requests in flight and shed requests per instance.',
  )
    .withVariable(instanceVariable())
    .withPanel(
      timeSeriesPanel({
        title: 'CPU vs limit (cores)',
        description:
          'CPU time used per second (1 = one core) and, dashed, the limit applied from outside (service_cpu_limit_cores; the guide gives app_slow 0.5). Unlimited services have no limit line.',
        unit: 'short',
        min: 0,
        dashedSeries: '.* limit',
        queries: [
          { expr: `instance:process_cpu_seconds:rate1m{${selected}}`, legend: '{{instance}} used' },
          { expr: `service_cpu_limit_cores{${selected}} > 0`, legend: '{{instance}} limit' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'CPU % of limit',
        description: `CPU used as a share of the limit (instance:process_cpu:ratio_of_limit_rate1m). CpuNearLimit fires above ${NEAR_LIMIT_RATIO * 100} % for a minute.`,
        unit: 'percentunit',
        min: 0,
        thresholdLine: NEAR_LIMIT_RATIO,
        queries: [
          { expr: `instance:process_cpu:ratio_of_limit_rate1m{${selected}}`, legend: '{{instance}}' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Memory vs limit (RSS)',
        description:
          'Resident memory of each process and, dashed, its memory limit (service_memory_limit_bytes; the guide gives app_slow 512 MB).',
        unit: 'bytes',
        min: 0,
        dashedSeries: '.* limit',
        queries: [
          { expr: `process_resident_memory_bytes{service!="", ${selected}}`, legend: '{{instance}} RSS' },
          { expr: `service_memory_limit_bytes{${selected}} > 0`, legend: '{{instance}} limit' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Memory % of limit',
        description: `Resident memory as a share of the limit (instance:process_resident_memory:ratio_of_limit). MemoryNearLimit fires above ${NEAR_LIMIT_RATIO * 100} %; the kernel kills the process at 100 %.`,
        unit: 'percentunit',
        min: 0,
        thresholdLine: NEAR_LIMIT_RATIO,
        queries: [
          { expr: `instance:process_resident_memory:ratio_of_limit{${selected}}`, legend: '{{instance}}' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Event-loop delay',
        description:
          'How late timers run in each Node process (p99 and mean): CPU saturation and blocking work show here first. Above SHED_MAX_EVENT_LOOP_DELAY_MS (200 ms by default) the service sheds requests.',
        unit: 's',
        min: 0,
        queries: [
          { expr: `nodejs_eventloop_lag_p99_seconds{${selected}}`, legend: '{{instance}} p99' },
          { expr: `nodejs_eventloop_lag_mean_seconds{${selected}}`, legend: '{{instance}} mean' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Heap used',
        description:
          'V8 heap used and allocated per process: a steady climb is a leak, a sawtooth is normal garbage collection.',
        unit: 'bytes',
        min: 0,
        queries: [
          { expr: `nodejs_heap_size_used_bytes{${selected}}`, legend: '{{instance}} used' },
          { expr: `nodejs_heap_size_total_bytes{${selected}}`, legend: '{{instance}} allocated' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Requests in flight',
        description:
          'Requests received and not yet answered (the scrape itself counts as one). Grows when work queues behind a saturated CPU; falls to zero during a graceful drain.',
        unit: 'short',
        min: 0,
        queries: [{ expr: `http_requests_in_flight{${selected}}`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Shed requests (req/s)',
        description:
          'Requests refused with 503 OVERLOADED by load shedding, by the threshold that was exceeded (event_loop_delay, heap_used, rss, event_loop_utilization).',
        unit: 'reqps',
        min: 0,
        queries: [
          { expr: `instance:http_requests_shed:rate1m{${selected}}`, legend: '{{instance}} {{reason}}' },
        ],
      }),
    )
    .build()
}
