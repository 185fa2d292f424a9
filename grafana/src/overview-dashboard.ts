/**
 * Overview: the guide's "metrics that matter" per service and route. RED (rate, errors,
 * duration) from the recording rules, p50/p95/p99 against the SLO, availability, and the
 * lifecycle state of every instance.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { labDashboard } from './dashboard-defaults.js'
import { stateTimelinePanel, statPanel, timeSeriesPanel } from './panels.js'
import { READ_P99_SLO_S, WRITE_P99_SLO_S } from './slo.js'
import { LIFECYCLE_MAPPINGS, lifecycleStateQuery } from './state-queries.js'
import { APP_JOBS, routeVariable, serviceVariable } from './variables.js'

/** Availability colours: red below 99 %, orange below the 99.9 % objective, green at or above it. */
const AVAILABILITY_STEPS = [
  { value: null, color: 'red' },
  { value: 0.99, color: 'orange' },
  { value: 0.999, color: 'green' },
]

export const OVERVIEW_UID = 'lab-overview'

const selected = 'service=~"$service", route=~"$route"'

function latencyPanel(route: string, sloS: number) {
  const series = (quantile: string) => ({
    expr: `service_route:http_request_duration_seconds:${quantile}_rate1m{service=~"$service", route="${route}"}`,
    legend: `{{instance}} ${quantile}`,
  })
  return timeSeriesPanel({
    title: `Latency ${route} p50/p95/p99 (SLO p99 < ${sloS * 1000} ms)`,
    description: `Percentiles of ${route} from each service's own histogram, over 1 minute. The dashed line is the p99 objective; LatencyP99OverSLO fires when p99 stays above it for a minute.`,
    unit: 's',
    min: 0,
    thresholdLine: sloS,
    queries: [series('p50'), series('p95'), series('p99')],
  })
}

export function overviewDashboard(): dashboard.Dashboard {
  return labDashboard(
    OVERVIEW_UID,
    'Production Lab / Overview',
    'Latency p50/p95/p99, throughput, error rate and availability per service and route, and the lifecycle state of each instance.',
  )
    .withVariable(serviceVariable())
    .withVariable(routeVariable())
    .withRow(new dashboard.RowBuilder('Traffic and errors'))
    .withPanel(
      timeSeriesPanel({
        title: 'Throughput (req/s)',
        description:
          'Requests answered per second, per instance and route (recording rule service_route:http_requests:rate1m).',
        unit: 'reqps',
        min: 0,
        queries: [
          {
            expr: `sum by (instance, route) (service_route:http_requests:rate1m{${selected}})`,
            legend: '{{instance}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Error %',
        description:
          'Share of responses that were 5xx, per instance and route: 503 from draining, shedding or an open breaker, 500 from failures. 0 when a route had no errors.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `service_route:http_request_errors:ratio_rate1m{${selected}}`,
            legend: '{{instance}} {{method}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Responses by status (req/s)',
        description: 'Every status code each instance answered, per route: the detail behind Error %.',
        unit: 'reqps',
        min: 0,
        width: 24,
        queries: [
          {
            expr: `sum by (instance, route, status_code) (rate(http_requests_total{${selected}}[$__rate_interval]))`,
            legend: '{{instance}} {{route}} {{status_code}}',
          },
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Latency'))
    .withPanel(latencyPanel('/read', READ_P99_SLO_S))
    .withPanel(latencyPanel('/write', WRITE_P99_SLO_S))
    .withPanel(
      timeSeriesPanel({
        title: 'Latency p99 of the selected routes',
        description: 'p99 of every selected route, including probes and /metrics, per instance.',
        unit: 's',
        min: 0,
        width: 24,
        queries: [
          {
            expr: `service_route:http_request_duration_seconds:p99_rate1m{${selected}}`,
            legend: '{{instance}} {{method}} {{route}}',
          },
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Availability'))
    .withPanel(
      statPanel({
        title: 'Availability over the time range (requests)',
        description:
          'Share of /read and /write requests answered without a 5xx over the whole dashboard time range, per instance and route.',
        unit: 'percentunit',
        decimals: 2,
        steps: AVAILABILITY_STEPS,
        queries: [
          {
            expr: `sum by (instance, route) (increase(http_requests_total{service=~"$service", route=~"/read|/write", status_code!~"5.."}[$__range])) / sum by (instance, route) (increase(http_requests_total{service=~"$service", route=~"/read|/write"}[$__range]))`,
            legend: '{{instance}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: 'Uptime over the time range (scrapes)',
        description:
          'Share of scrapes each app answered over the dashboard time range: the uptime of the process.',
        unit: 'percentunit',
        decimals: 2,
        steps: AVAILABILITY_STEPS,
        queries: [{ expr: `avg_over_time(up{job=~"${APP_JOBS}"}[$__range])`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Availability (1 m)',
        description:
          'Share of /read and /write requests answered without a 5xx, per minute (recording rule service_route:http_availability:ratio_rate1m).',
        unit: 'percentunit',
        max: 1,
        queries: [
          {
            expr: 'service_route:http_availability:ratio_rate1m{service=~"$service", route=~"/read|/write"}',
            legend: '{{instance}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      stateTimelinePanel({
        title: 'Instance lifecycle state',
        description:
          'starting / ready / draining from lifecycle_state, and down when Prometheus cannot scrape the instance. A SIGTERM shows as ready -> draining -> down.',
        queries: [{ expr: lifecycleStateQuery(`job=~"${APP_JOBS}"`), legend: '{{instance}}' }],
        states: LIFECYCLE_MAPPINGS,
      }),
    )
    .build()
}
