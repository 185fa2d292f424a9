/**
 * CpuNearLimit and MemoryNearLimit need a minute above 90 % of a limit, which a short run on a
 * shared machine cannot hold (the integration's SHORT_RUN_EQUIVALENTS), so the run only executed
 * their expressions and never saw them fire. This proves they fire for the services that really
 * run: the label sets and limit values of their input series are taken from the live Prometheus
 * at the end of the run, the usage is made synthetic (96 % / 95 % of that limit), and promtool
 * evaluates the real rule files over it and must report the alert firing for every one of them,
 * with the labels and annotations the rules produce.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROMETHEUS_RULES_DIR } from '@production-lab/stack'
import { parse, stringify } from 'yaml'
import type { PrometheusApi } from './prometheus-api.js'

/** seconds between synthetic samples: the lab's scrape and evaluation interval */
const INTERVAL_S = 5
/** synthetic samples per series: 5 min, past the rules' 1 m window and `for: 1m` */
const SAMPLES = 60
/** when promtool evaluates the alert */
const EVAL_TIME = '3m'

export interface NearLimitAlert {
  alert: string
  /** the usage series and its limit series (joined on job, instance, service) */
  usage: string
  limit: string
  /** the usage as a fraction of the limit, above the alert's 0.9 */
  fraction: number
  /** promtool values of the usage series for a limit */
  usageValues(limit: number, fraction: number): string
}

export const NEAR_LIMIT_ALERTS: NearLimitAlert[] = [
  {
    alert: 'CpuNearLimit',
    usage: 'process_cpu_seconds_total',
    limit: 'service_cpu_limit_cores',
    fraction: 0.96,
    // a counter growing by fraction x limit CPU seconds per second
    usageValues: (limit, fraction) => `0+${fraction * limit * INTERVAL_S}x${SAMPLES}`,
  },
  {
    alert: 'MemoryNearLimit',
    usage: 'process_resident_memory_bytes',
    limit: 'service_memory_limit_bytes',
    fraction: 0.95,
    usageValues: (limit, fraction) => `${Math.round(fraction * limit)}x${SAMPLES}`,
  },
]

interface AlertRule {
  alert?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

function alertRule(name: string): AlertRule {
  const doc = parse(readFileSync(join(PROMETHEUS_RULES_DIR, 'alerts.rules.yml'), 'utf8')) as {
    groups: Array<{ rules: AlertRule[] }>
  }
  const rule = doc.groups.flatMap((group) => group.rules).find((r) => r.alert === name)
  if (!rule) throw new Error(`no alert ${name} in alerts.rules.yml`)
  return rule
}

/** Prometheus' humanizePercentage: %.4g of value x 100, then "%". */
function humanizePercentage(value: number): string {
  return `${Number((value * 100).toPrecision(4))}%`
}

/** The rule's annotation templates with $labels.x and `$value | humanizePercentage`, the only forms they use. */
function render(template: string, labels: Record<string, string>, value: number): string {
  const text = template
    .replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '')
    .replace(/\{\{\s*\$value\s*\|\s*humanizePercentage\s*\}\}/g, humanizePercentage(value))
  if (text.includes('{{')) throw new Error(`annotation template this test cannot render: ${template}`)
  return text
}

function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([name]) => name !== '__name__')
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ')
}

export interface FiringResult {
  /** the services the alert was expected (and found) firing for */
  targets: string[]
  /** promtool's output */
  output: string
}

/**
 * Builds the promtool test from the live series at `atS` and runs it; throws with promtool's
 * output when the alert does not fire exactly as expected, or when no service of the run has
 * the limit (nothing to prove it on).
 */
export async function proveFiresOnLiveLabels(
  prometheus: PrometheusApi,
  spec: NearLimitAlert,
  atS: number,
): Promise<FiringResult> {
  const limits = (await prometheus.queryRange(`${spec.limit} > 0`, atS, atS, INTERVAL_S)).filter(
    (series) => series.values.length > 0,
  )
  const inputs: Array<{ series: string; values: string }> = []
  const expected: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }> = []
  const rule = alertRule(spec.alert)
  for (const limitSeries of limits) {
    const { job, instance, service } = limitSeries.metric
    const limit = Number(limitSeries.values.at(-1)?.[1])
    const usage = await prometheus.queryRange(
      `${spec.usage}{job=${JSON.stringify(job)}, instance=${JSON.stringify(instance)}, service=${JSON.stringify(service)}}`,
      atS,
      atS,
      INTERVAL_S,
    )
    for (const usageSeries of usage) {
      const labels = Object.fromEntries(
        Object.entries(usageSeries.metric).filter(([name]) => name !== '__name__'),
      )
      inputs.push({
        series: `${spec.usage}{${selector(labels)}}`,
        values: spec.usageValues(limit, spec.fraction),
      })
      expected.push({
        exp_labels: { ...labels, ...rule.labels },
        exp_annotations: Object.fromEntries(
          Object.entries(rule.annotations ?? {}).map(([name, text]) => [
            name,
            render(text, labels, spec.fraction),
          ]),
        ),
      })
    }
    inputs.push({ series: `${spec.limit}{${selector(limitSeries.metric)}}`, values: `${limit}x${SAMPLES}` })
  }
  if (expected.length === 0)
    throw new Error(
      `no service of the run has ${spec.limit} > 0 with a ${spec.usage} series: nothing to fire ${spec.alert} on`,
    )
  const dir = mkdtempSync(join(tmpdir(), 'lab-alert-fires-'))
  const file = join(dir, `${spec.alert}.test.yml`)
  writeFileSync(
    file,
    stringify({
      rule_files: ['recording.rules.yml', 'alerts.rules.yml'].map((name) => join(PROMETHEUS_RULES_DIR, name)),
      evaluation_interval: `${INTERVAL_S}s`,
      tests: [
        {
          interval: `${INTERVAL_S}s`,
          input_series: inputs,
          alert_rule_test: [{ eval_time: EVAL_TIME, alertname: spec.alert, exp_alerts: expected }],
        },
      ],
    }),
  )
  try {
    const output = execFileSync('promtool', ['test', 'rules', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // Kept on a failure, for the message's path.
    rmSync(dir, { recursive: true, force: true })
    return { targets: expected.map((e) => e.exp_labels.instance ?? '?'), output }
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    throw new Error(
      `promtool: ${spec.alert} did not fire as expected on the live label sets (${file}):\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    )
  }
}
