/**
 * Load balancer: what nginx_lb does with the traffic. The read split against the 3:1
 * weights, nginx's connections and requests (stub_status, via prometheus-nginx-exporter),
 * and from the JSON access log (mtail) the status codes and latency per upstream, with
 * nginx's latency next to the apps' own, and the upstreams' membership changes (issue 15):
 * which server was taken out or put back, why, and how fast nginx was told.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { labDashboard } from './dashboard-defaults.js'
import { timeSeriesPanel } from './panels.js'
import { READ_SPLIT_TARGET } from './slo.js'

export const LOAD_BALANCER_UID = 'lab-load-balancer'

const targetLines = Object.entries(READ_SPLIT_TARGET).map(([instance, share]) => ({
  expr: `vector(${share})`,
  legend: `${instance} target`,
}))

function latencyComparison(route: string, appJob: string) {
  const quantile = (q: number, selector: string, by = '') =>
    `histogram_quantile(${q}, sum by (le${by}) (rate(${selector}[$__rate_interval])))`
  return timeSeriesPanel({
    title: `nginx vs app latency ${route}`,
    description: `p50 and p99 of ${route} as the client sees it through nginx (request_time from the access log) and as the services measure it themselves. The gap is nginx's own cost plus retries on another upstream.`,
    unit: 's',
    min: 0,
    queries: [
      {
        expr: quantile(0.5, `nginx_access_request_duration_seconds_bucket{route="${route}"}`),
        legend: 'nginx p50',
      },
      {
        expr: quantile(0.99, `nginx_access_request_duration_seconds_bucket{route="${route}"}`),
        legend: 'nginx p99',
      },
      {
        expr: quantile(0.5, `http_request_duration_seconds_bucket{job="${appJob}", route="${route}"}`),
        legend: 'app p50',
      },
      {
        expr: quantile(0.99, `http_request_duration_seconds_bucket{job="${appJob}", route="${route}"}`),
        legend: 'app p99',
      },
    ],
  })
}

export function loadBalancerDashboard(): dashboard.Dashboard {
  const appReads = 'rate(http_requests_total{job="reader", route="/read"}[$__rate_interval])'
  const nginxReads = 'rate(nginx_upstream_responses_total{route="/read"}[$__rate_interval])'
  return labDashboard(
    LOAD_BALANCER_UID,
    'Production Lab / Load balancer',
    'nginx_lb: the read split against the 3:1 weights, connections and requests, upstream status codes and latency from the access log.',
  )
    .withPanel(
      timeSeriesPanel({
        title: 'Read split per replica (apps)',
        description:
          'Share of GET /read each reader answered, counted by the readers themselves, against the 3:1 weights (dashed: 75 % / 25 %).',
        unit: 'percentunit',
        min: 0,
        max: 1,
        dashedSeries: '.* target',
        queries: [
          {
            expr: `sum by (instance) (${appReads}) / ignoring (instance) group_left sum (${appReads})`,
            legend: '{{instance}}',
          },
          ...targetLines,
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Read split per upstream (nginx access log)',
        description:
          'Share of GET /read answered by each upstream server as nginx logged it (the last server tried), against the 3:1 weights. In compose, upstreams show as container IPs.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        dashedSeries: '.* target',
        queries: [
          {
            expr: `sum by (upstream) (${nginxReads}) / ignoring (upstream) group_left sum (${nginxReads})`,
            legend: '{{upstream}}',
          },
          ...targetLines,
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'nginx connections',
        description:
          'Client connections from stub_status: active, and of those reading a request, writing a response, or idle keep-alive (waiting).',
        unit: 'short',
        min: 0,
        queries: [
          { expr: 'nginx_connections_active', legend: 'active' },
          { expr: 'nginx_connections_reading', legend: 'reading' },
          { expr: 'nginx_connections_writing', legend: 'writing' },
          { expr: 'nginx_connections_waiting', legend: 'waiting (keep-alive)' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'nginx requests (req/s)',
        description:
          'Requests nginx handled per second: every request from stub_status, and per route and client status from the access log.',
        unit: 'reqps',
        min: 0,
        queries: [
          { expr: 'rate(nginx_http_requests_total[$__rate_interval])', legend: 'all (stub_status)' },
          {
            expr: 'sum by (route, status) (rate(nginx_access_requests_total[$__rate_interval]))',
            legend: '{{route}} {{status}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Upstream status codes (req/s)',
        description:
          'Status of the answer nginx got from each upstream server (the last one tried), per route: 503 from a draining or overloaded replica, 502 when a server refused the connection, 504 after the 5 s proxy_read_timeout.',
        unit: 'reqps',
        min: 0,
        queries: [
          {
            expr: 'sum by (route, upstream, upstream_status) (rate(nginx_upstream_responses_total[$__rate_interval]))',
            legend: '{{route}} {{upstream}} {{upstream_status}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Upstream latency p99',
        description:
          'p99 of upstream_response_time per upstream server: how long each server took as nginx measured it.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: 'histogram_quantile(0.99, sum by (route, upstream, le) (rate(nginx_upstream_response_duration_seconds_bucket[$__rate_interval])))',
            legend: '{{route}} {{upstream}}',
          },
        ],
      }),
    )
    .withPanel(latencyComparison('/read', 'reader'))
    .withPanel(latencyComparison('/write', 'writer'))
    .withPanel(
      timeSeriesPanel({
        title: 'Upstream membership changes',
        description:
          "Servers nginx was told to take out (out) or put back (in), and why: natively the supervisor on a process event (exited, stopping, stopped) or a ready answer, in compose nginx_lb's follower (unreachable, accepts). Each is a reload with `down` markers, which also clears the passive failure counts (docs/load-balancing.md). Dashed: whether each upstream is in rotation (1) after its last change.",
        unit: 'short',
        min: 0,
        dashedSeries: 'in rotation .*',
        queries: [
          {
            expr: 'sum by (upstream, direction, reason) (increase(nginx_upstream_membership_changes_total[$__rate_interval]))',
            legend: '{{upstream}} {{direction}} ({{reason}})',
          },
          { expr: 'nginx_upstream_member', legend: 'in rotation {{upstream}}' },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Membership verdict to nginx reload',
        description:
          'Seconds from the verdict (a process event or a ready answer natively; the ended or accepted connection in compose) to the reload signalled to nginx: the window in which nginx still used its old view. Mean and max per scrape interval.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: 'sum (rate(nginx_upstream_membership_reload_delay_seconds_sum[$__rate_interval])) / sum (rate(nginx_upstream_membership_reload_delay_seconds_count[$__rate_interval]))',
            legend: 'mean',
          },
          {
            expr: 'histogram_quantile(1, sum by (le) (rate(nginx_upstream_membership_reload_delay_seconds_bucket[$__rate_interval])))',
            legend: 'max (bucket bound)',
          },
        ],
      }),
    )
    .withPanel(
      timeSeriesPanel({
        title: 'Requests retried on another upstream (req/s)',
        description:
          'Requests nginx sent to a second server (proxy_next_upstream on error, timeout, 502 or 503): a draining or stopped reader shows here while clients still get 200.',
        unit: 'reqps',
        min: 0,
        width: 24,
        queries: [
          {
            expr: 'sum by (route) (rate(nginx_upstream_retries_total[$__rate_interval]))',
            legend: '{{route}}',
          },
        ],
      }),
    )
    .build()
}
