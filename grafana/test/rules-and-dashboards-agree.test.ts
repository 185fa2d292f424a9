/**
 * The numbers and names the rules and dashboards share: SLO thresholds, and every
 * `Dashboard > "Panel"` an alert's description points at exists.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROMETHEUS_RULES_DIR } from '@production-lab/stack'
import { parse } from 'yaml'
import { DASHBOARDS } from '../src/dashboards.js'
import { READ_P99_SLO_S, WRITE_P99_SLO_S } from '../src/slo.js'

interface Rule {
  record?: string
  alert?: string
  expr: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

function rules(file: string): Rule[] {
  const doc = parse(readFileSync(join(PROMETHEUS_RULES_DIR, file), 'utf8')) as {
    groups: Array<{ rules: Rule[] }>
  }
  return doc.groups.flatMap((group) => group.rules)
}

test('the SLO thresholds in the recording rules are the ones the dashboards draw', () => {
  const thresholds = Object.fromEntries(
    rules('recording.rules.yml')
      .filter((rule) => rule.record === 'route:slo_latency_p99_threshold_seconds')
      .map((rule) => [rule.labels?.route, Number(/vector\(([\d.]+)\)/.exec(rule.expr)?.[1])]),
  )
  assert.deepEqual(thresholds, { '/read': READ_P99_SLO_S, '/write': WRITE_P99_SLO_S })
})

test('every panel an alert description points at exists on that dashboard', () => {
  const panelsByDashboard = new Map(
    DASHBOARDS.map(({ build }) => {
      const dashboard = build()
      const short = (dashboard.title ?? '').replace('Production Lab / ', '')
      return [short, (dashboard.panels ?? []).map((panel) => panel.title ?? '')]
    }),
  )
  const alerts = rules('alerts.rules.yml').filter((rule) => rule.alert)
  assert.ok(alerts.length >= 14)
  let references = 0
  for (const alert of alerts) {
    const description = alert.annotations?.description ?? ''
    assert.ok(alert.annotations?.summary, `${alert.alert} has no summary`)
    for (const match of description.matchAll(/(Overview|Saturation|Load balancer|Resilience) > "([^"]+)"/g)) {
      references++
      const [, dashboard, panel] = match as unknown as [string, string, string]
      const titles = panelsByDashboard.get(dashboard) ?? []
      // A reference templated by route stands for the panel of each SLO route.
      const wanted = panel.includes('{{ $labels.route }}')
        ? ['/read', '/write'].map((route) => panel.replace('{{ $labels.route }}', route))
        : [panel]
      for (const prefix of wanted) {
        assert.ok(
          titles.some((title) => title.startsWith(prefix)),
          `${alert.alert} points at ${dashboard} > "${prefix}", which is not a panel there (panels: ${titles.join(' | ')})`,
        )
      }
    }
  }
  assert.ok(references >= alerts.length - 2, `only ${references} panel references in ${alerts.length} alerts`)
})
