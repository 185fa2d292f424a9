/** promtool on the real files: the config's two renderings, the rules, the rule unit tests. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  composePrometheusVars,
  nativePrometheusVars,
  PROMETHEUS_DIR,
  PROMETHEUS_RULES_DIR,
  renderPrometheusConfig,
  TemplateError,
} from '@production-lab/stack'
import { parse } from 'yaml'

const scratch = mkdtempSync(join(tmpdir(), 'lab-prometheus-config-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string }
    assert.fail(`promtool ${args.join(' ')} failed:\n${stdout}\n${stderr}`)
  }
}

test('the native rendering passes promtool check config and loads every rule file', () => {
  const file = join(scratch, 'native.yml')
  writeFileSync(file, renderPrometheusConfig(nativePrometheusVars(0)))
  const output = promtool('check', 'config', file)
  assert.match(output, /SUCCESS/)
  assert.match(output, /alerts\.rules\.yml/)
  assert.match(output, /recording\.rules\.yml/)
})

test('the compose rendering passes promtool check config', () => {
  const file = join(scratch, 'compose.yml')
  const rendered = renderPrometheusConfig(composePrometheusVars(PROMETHEUS_RULES_DIR))
  assert.match(rendered, /targets: \['app_fast_1:8000'\]/)
  writeFileSync(file, rendered)
  assert.match(promtool('check', 'config', file), /SUCCESS/)
})

test('rendering refuses a missing variable, naming it', () => {
  const { NGINX_LOG_EXPORTER_TARGET: _, ...incomplete } = nativePrometheusVars(0)
  assert.throws(
    () => renderPrometheusConfig(incomplete as ReturnType<typeof nativePrometheusVars>),
    (error: Error) => error instanceof TemplateError && /NGINX_LOG_EXPORTER_TARGET/.test(error.message),
  )
})

test('promtool check rules accepts every rule file', () => {
  const files = readdirSync(PROMETHEUS_RULES_DIR).filter((name) => name.endsWith('.rules.yml'))
  assert.ok(files.length >= 2)
  const output = promtool('check', 'rules', ...files.map((name) => join(PROMETHEUS_RULES_DIR, name)))
  assert.doesNotMatch(output, /FAILED/)
})

test('promtool test rules: every alert fires when it should and stays silent when it should not', () => {
  const testsDir = join(PROMETHEUS_DIR, 'tests')
  const files = readdirSync(testsDir).filter((name) => name.endsWith('.test.yml'))
  const output = promtool('test', 'rules', ...files.map((name) => join(testsDir, name)))
  assert.doesNotMatch(output, /FAILED/)
})

test('every alert has a promtool test in which it fires and one in which it stays silent', () => {
  const alertRules = parse(readFileSync(join(PROMETHEUS_RULES_DIR, 'alerts.rules.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string }> }>
  }
  const alerts = alertRules.groups.flatMap((group) => group.rules.map((rule) => rule.alert))
  const unitTests = parse(readFileSync(join(PROMETHEUS_DIR, 'tests', 'alerts.test.yml'), 'utf8')) as {
    tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>
  }
  const cases = unitTests.tests.flatMap((group) => group.alert_rule_test ?? [])
  for (const alert of alerts) {
    const mine = cases.filter((testCase) => testCase.alertname === alert)
    assert.ok(
      mine.some((testCase) => testCase.exp_alerts.length > 0),
      `${alert} has no test case in which it fires`,
    )
    assert.ok(
      mine.some((testCase) => testCase.exp_alerts.length === 0),
      `${alert} has no test case in which it stays silent`,
    )
  }
})
