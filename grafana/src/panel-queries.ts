/**
 * Every query the dashboards and rules run, as data, for the checks against a live
 * Prometheus: each panel target with its dashboard and panel title, each recording and
 * alert expression, and Grafana's variables substituted the way Grafana does.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROMETHEUS_RULES_DIR } from '@production-lab/stack'
import { parse } from 'yaml'
import { DASHBOARDS } from './dashboards.js'

export interface LabeledQuery {
  /** where it comes from, e.g. `Overview > Error % [A]` or `alert HighErrorRatio` */
  source: string
  expr: string
}

interface PanelJson {
  type?: string
  title?: string
  targets?: Array<{ expr?: string; refId?: string }>
}

export function dashboardQueries(): LabeledQuery[] {
  return DASHBOARDS.flatMap(({ build }) => {
    const dashboard = build()
    const short = (dashboard.title ?? '').replace('Production Lab / ', '')
    return ((dashboard.panels ?? []) as PanelJson[])
      .filter((panel) => panel.type !== 'row')
      .flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({
          source: `${short} > ${panel.title} [${target.refId}]`,
          expr: target.expr ?? '',
        })),
      )
  })
}

interface RuleJson {
  record?: string
  alert?: string
  expr: string
}

export function ruleQueries(): LabeledQuery[] {
  return ['recording.rules.yml', 'alerts.rules.yml'].flatMap((file) => {
    const doc = parse(readFileSync(join(PROMETHEUS_RULES_DIR, file), 'utf8')) as {
      groups: Array<{ rules: RuleJson[] }>
    }
    return doc.groups.flatMap((group) =>
      group.rules.map((rule) => ({
        source: rule.record
          ? `record ${rule.record}${rule.expr.startsWith('vector(') ? ` ${rule.expr}` : ''}`
          : `alert ${rule.alert}`,
        expr: rule.expr.trim(),
      })),
    )
  })
}

/** The names of the dashboards' template variables: $service, $route, $instance. */
export const TEMPLATE_VARIABLES = ['service', 'route', 'instance'] as const
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number]

export interface Substitutions {
  /** every value of each template variable, as Grafana's "All" selects them */
  values: Record<TemplateVariable, string[]>
  /** Grafana's $__rate_interval, e.g. "20s" (4 scrape intervals) */
  rateInterval: string
  /** Grafana's $__range: the dashboard's time range, e.g. "180s" */
  range: string
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\\\$&')
}

/** Replaces Grafana's variables in `expr` as Grafana does for a Prometheus query. */
export function substituteVariables(expr: string, substitutions: Substitutions): string {
  let result = expr
    .replaceAll('$__rate_interval', substitutions.rateInterval)
    .replaceAll('$__range', substitutions.range)
  for (const name of TEMPLATE_VARIABLES) {
    const values = substitutions.values[name]
    // Grafana formats a multi-value selection in a regex matcher as (a|b|c), each escaped.
    result = result.replaceAll(`$${name}`, `(${values.map(escapeRegex).join('|')})`)
  }
  const leftover = /\$\w+/.exec(result)
  if (leftover) throw new Error(`query still has the variable ${leftover[0]} after substitution: ${result}`)
  return result
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
])

/**
 * The metric names an expression selects (recording rule names included), found by
 * removing what is not one: strings, label matchers, ranges, label lists of by/on/...,
 * function calls, numbers and keywords.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names = new Set<string>()
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match as unknown as [string, string, string | undefined]
    if (call || KEYWORDS.has(name.toLowerCase())) continue
    names.add(name)
  }
  return [...names]
}
