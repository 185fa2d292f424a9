/**
 * Resilience: what happens when something fails. Circuit breakers per breaker, the
 * SIGTERM timeline (lifecycle state and what clients got around each shutdown), and the
 * health-watcher's view: target states, probes, restarts.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { labDashboard } from './dashboard-defaults.js'
import { stateTimelinePanel, statPanel, timeSeriesPanel } from './panels.js'
import {
  BREAKER_STATES,
  LIFECYCLE_MAPPINGS,
  lifecycleStateQuery,
  oneHotStateQuery,
  stateMappings,
  WATCHER_STATES,
} from './state-queries.js'
import { APP_JOBS, instanceVariable } from './variables.js'

export const RESILIENCE_UID = 'lab-resilience'

const selected = 'instance=~"$instance"'
const userRoutes = 'route=~"/read|/write"'

export function resilienceDashboard(): dashboard.Dashboard {
  const responses = (status: string) =>
    `sum by (instance) (rate(http_requests_total{${selected}, ${userRoutes}, status_code=~"${status}"}[$__rate_interval]))`
  return labDashboard(
    RESILIENCE_UID,
    'Production Lab / Resilience',
    'Circuit breakers, graceful shutdowns (SIGTERM) and what clients got meanwhile, and the health-watcher: target states, probes and restarts.',
  )
    .withVariable(instanceVariable())
    .withRow(new dashboard.RowBuilder('Circuit breakers'))
    .withPanel(
      stateTimelinePanel({
        title: 'Breaker state',
        description:
          "Each circuit breaker's state over time: open fails calls fast with 503 DEPENDENCY_UNAVAILABLE, half-open lets one trial call through after the reset timeout.",
        queries: [
          {
            expr: oneHotStateQuery('circuit_breaker_state', {
              matchers: selected,
              by: 'instance, breaker',
              states: BREAKER_STATES,
            }),
            legend: '{{instance}} {{breaker}}',
          },
        ],
        states: stateMappings(BREAKER_STATES),
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Breaker events (per s)',
        description:
          'Calls through each breaker by outcome (success, failure, timeout, reject = failed fast while open) and its transitions (open, half_open, close).',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: `sum by (instance, breaker, event) (rate(circuit_breaker_events_total{${selected}}[$__rate_interval]))`,
            legend: '{{instance}} {{breaker}} {{event}}',
          },
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Graceful shutdown (SIGTERM)'))
    .withPanel(
      stateTimelinePanel({
        title: 'Lifecycle state',
        description:
          'ready -> draining (SIGTERM received: readiness 503, new requests 503) -> down (exited) -> starting -> ready.',
        queries: [{ expr: lifecycleStateQuery(`job=~"${APP_JOBS}", ${selected}`), legend: '{{instance}}' }],
        states: LIFECYCLE_MAPPINGS,
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Requests around shutdowns: served / 503 / failed (req/s)',
        description:
          'What each instance answered on /read and /write: served (2xx), 503 (draining, shedding or breaker open: nginx retries GETs elsewhere) and other 5xx; and what clients got from nginx: 502 (no server answered) and 504 (timeout).',
        unit: 'reqps',
        min: 0,
        queries: [
          { expr: responses('2..'), legend: '{{instance}} served' },
          { expr: responses('503'), legend: '{{instance}} 503' },
          { expr: responses('5(0[0-24-9]|[1-9].)'), legend: '{{instance}} failed (other 5xx)' },
          {
            expr: 'sum by (route, status) (rate(nginx_access_requests_total{status=~"502|504"}[$__rate_interval]))',
            legend: 'nginx {{route}} {{status}}',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Process starts in the time range',
        description:
          'How often each app process started again in the dashboard time range (process_start_time_seconds changed): restarts by hand, by the lab or by the health-watcher.',
        unit: 'short',
        width: 24,
        queries: [
          {
            expr: `changes(process_start_time_seconds{service!="", ${selected}}[$__range])`,
            legend: '{{instance}}',
          },
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Health-watcher'))
    .withPanel(
      stateTimelinePanel({
        title: 'Watcher target state',
        description:
          "The health-watcher's verdict on each target: up, degraded (alive, not ready: never restarted), draining (never restarted), down, restarting, stopped on purpose, given up (restart budget spent).",
        queries: [
          {
            expr: oneHotStateQuery('watcher_target_state', {
              matchers: '',
              by: 'target',
              states: WATCHER_STATES,
            }),
            legend: '{{target}}',
          },
        ],
        states: stateMappings(WATCHER_STATES),
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Watcher probes (per s)',
        description: 'Liveness and readiness probes per target and result (ok, fail, timeout, error).',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: 'sum by (target, probe, result) (rate(watcher_probe_duration_seconds_count[$__rate_interval]))',
            legend: '{{target}} {{probe}} {{result}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Watcher probe latency p99',
        description:
          'p99 duration of the probes per target: a hung service shows as probes running into their timeout.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: 'histogram_quantile(0.99, sum by (target, probe, le) (rate(watcher_probe_duration_seconds_bucket[$__rate_interval])))',
            legend: '{{target}} {{probe}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Watcher restarts',
        description:
          'Restarts the watcher performed per target (over 1 minute), failed remediations, and the restart budget each target has left.',
        unit: 'short',
        min: 0,
        queries: [
          { expr: 'sum by (target) (increase(watcher_restarts_total[1m]))', legend: '{{target}} restarts' },
          {
            expr: 'sum by (target, reason) (increase(watcher_remediation_failures_total[1m]))',
            legend: '{{target}} failed: {{reason}}',
          },
          { expr: 'watcher_restart_budget_remaining', legend: '{{target}} budget left' },
        ],
      }),
    )
    .build()
}
