import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dashboardQueries, metricNames, ruleQueries, substituteVariables } from '../src/panel-queries.js'

test('metricNames finds selected metrics and recording rules, not functions, labels or keywords', () => {
  assert.deepEqual(
    metricNames(
      'sum by (instance, le) (rate(http_request_duration_seconds_bucket{job="reader", route=~"/read|x"}[$__rate_interval])) / ignoring (instance) group_left sum(up) > on (route) group_left route:slo_latency_p99_threshold_seconds and nginx_up == 0 or vector(0.75)',
    ).sort(),
    ['http_request_duration_seconds_bucket', 'nginx_up', 'route:slo_latency_p99_threshold_seconds', 'up'],
  )
})

test('substituteVariables formats multi-values as Grafana does and refuses leftovers', () => {
  const substitutions = {
    values: { service: ['FAST_REPLICA_1', 'SLOW_PRIMARY'], route: ['/read'], instance: ['app_fast_1'] },
    rateInterval: '20s',
    range: '180s',
  }
  assert.equal(
    substituteVariables(
      'rate(x{service=~"$service", route=~"$route"}[$__rate_interval]) + increase(y[$__range])',
      substitutions,
    ),
    'rate(x{service=~"(FAST_REPLICA_1|SLOW_PRIMARY)", route=~"(\\\\/read)"}[20s]) + increase(y[180s])',
  )
  assert.throws(() => substituteVariables('x{a="$unknown"}', substitutions), /\$unknown/)
})

test('every dashboard panel and every rule yields at least one query', () => {
  const panels = dashboardQueries()
  const rules = ruleQueries()
  assert.ok(panels.length >= 40, `${panels.length} panel queries`)
  assert.ok(rules.length >= 30, `${rules.length} rule expressions`)
  assert.ok(panels.every((query) => query.expr.length > 0))
})
