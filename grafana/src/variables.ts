/**
 * Dashboard template variables. Queries use them as regex matchers (`=~"$instance"`), so
 * "All" and multi-selections work: Grafana substitutes `(a|b)`.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { PROMETHEUS } from './datasource.js'

/** The jobs of the lab's own apps (the scrape config's job names). */
export const APP_JOBS = 'writer|reader|health_watcher'

function labelValues(
  name: string,
  label: string,
  query: string,
  title: string,
): dashboard.QueryVariableBuilder {
  const definition = `label_values(${query}, ${label})`
  return (
    new dashboard.QueryVariableBuilder(name)
      .label(title)
      .datasource(PROMETHEUS)
      // The string form: Grafana's dashboard schema declares `query?: string | {...}` and its
      // Prometheus variable editor migrates a string query on load; the object form
      // {query, refId} breaks the published JSON schema (its object form holds objects only).
      .query(definition)
      .definition(definition)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .current({ text: 'All', value: '$__all' })
  )
}

/** The guide's container names of the apps: app_slow, app_fast_1, app_fast_2, health_watcher. */
export const instanceVariable = () =>
  labelValues('instance', 'instance', `up{job=~"${APP_JOBS}"}`, 'Instance')

/** The apps' SERVICE_NAMEs: SLOW_PRIMARY, FAST_REPLICA_1, FAST_REPLICA_2, HEALTH_WATCHER. */
export const serviceVariable = () => labelValues('service', 'service', 'http_requests_total', 'Service')

/** Route templates answered by the selected services (/read, /write, /health/ready...). */
export const routeVariable = () =>
  labelValues('route', 'route', 'http_requests_total{service=~"$service"}', 'Route')
