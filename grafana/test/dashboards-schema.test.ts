/**
 * Every generated dashboard passes Grafana's published JSON schemas (grafana-foundation-sdk's
 * jsonschema/, kept outside the repo in ../shared/schemas/grafana, read at test time): the
 * dashboard and panel model, each panel plugin's options and custom field config, and the
 * Prometheus query model. Grafana cannot run on this machine; this is what proves the JSON.
 *
 * One exception, where the JSON schema is stricter than Grafana: Grafana's own dashboard kind
 * (grafana/grafana kinds/dashboard/dashboard_kind.cue) declares `#MatcherConfig.options?: _`
 * and `#DynamicConfigValue.value?: _`, CUE's "any value", which the JSON schema publishes as
 * `type: object`. Grafana's byRegexp field matcher takes a plain string pattern
 * (packages/grafana-data/src/transformations/matchers/nameMatcher.ts:
 * `regexpFieldNameMatcher: FieldMatcherInfo<string>`, defaultOptions '/.*\/'), and an override
 * property holds whatever its option takes (custom.fillOpacity: a number). So a scalar there
 * is allowed, and nothing else.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { REPO_ROOT } from '@production-lab/stack'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { DASHBOARDS, dashboardJson } from '../src/dashboards.js'

const SCHEMAS_DIR = join(REPO_ROOT, '..', 'shared', 'schemas', 'grafana')
// Skipped only off CI (a clone without shared/ beside it); on CI missing schemas must fail.
const skip =
  existsSync(SCHEMAS_DIR) || process.env.CI ? false : `Grafana's JSON schemas are not at ${SCHEMAS_DIR}`

// biome-ignore lint/suspicious/noExplicitAny: dashboards are walked as plain JSON
type Json = Record<string, any>

/** The only place a scalar may stand where the JSON schema says object (see the header). */
const CUE_ANY_AS_OBJECT = /^\/fieldConfig\/overrides\/\d+\/(matcher\/options|properties\/\d+\/value)$/

export function allowedException(error: ErrorObject, data: unknown): boolean {
  return (
    error.keyword === 'type' &&
    error.params.type === 'object' &&
    CUE_ANY_AS_OBJECT.test(error.instancePath) &&
    ['string', 'number', 'boolean'].includes(typeof data)
  )
}

function schemaValidators() {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false })
  const load = (name: string): Json =>
    JSON.parse(readFileSync(join(SCHEMAS_DIR, `${name}.jsonschema.json`), 'utf8'))
  const cache = new Map<string, ValidateFunction | null>()
  /** A validator for `definition` of `file`, or null when the file has no such definition. */
  const at = (file: string, definition: string) => {
    const key = `${file}#${definition}`
    if (!cache.has(key)) {
      const schema = existsSync(join(SCHEMAS_DIR, `${file}.jsonschema.json`)) ? load(file) : undefined
      cache.set(
        key,
        schema?.definitions?.[definition]
          ? ajv.compile({ ...schema, $ref: `#/definitions/${definition}` })
          : null,
      )
    }
    return cache.get(key) ?? null
  }
  return { at }
}

/** Every schema error of one dashboard, as `where: message`, the allowed exception left out. */
export function dashboardErrors(dashboard: Json, validators = schemaValidators()): string[] {
  const errors: string[] = []
  const check = (where: string, validate: ValidateFunction | null, data: unknown, required = true) => {
    if (!validate) {
      if (required) errors.push(`${where}: no schema to check it against`)
      return
    }
    if (validate(data)) return
    for (const error of validate.errors ?? []) {
      const value = error.instancePath
        .split('/')
        .slice(1)
        .reduce<unknown>((at, key) => (at as Json)?.[key], data)
      if (!allowedException(error, value)) errors.push(`${where}${error.instancePath}: ${error.message}`)
    }
  }
  check('dashboard', validators.at('dashboard', 'Dashboard'), { ...dashboard, panels: [] })
  for (const [index, panel] of (dashboard.panels as Json[]).entries()) {
    const where = `panels/${index} (${panel.title})`
    check(where, validators.at('dashboard', panel.type === 'row' ? 'RowPanel' : 'Panel'), panel)
    if (panel.type === 'row') continue
    const kind = String(panel.type).replaceAll('-', '')
    check(`${where} options`, validators.at(kind, 'Options'), panel.options ?? {})
    check(
      `${where} custom`,
      validators.at(kind, 'FieldConfig'),
      panel.fieldConfig?.defaults?.custom ?? {},
      false,
    )
    for (const [t, target] of ((panel.targets ?? []) as Json[]).entries()) {
      check(`${where} targets/${t}`, validators.at('prometheus', 'Dataquery'), target)
    }
  }
  return errors
}

describe("dashboards against Grafana's JSON schemas", { skip }, () => {
  const validators = skip ? undefined : schemaValidators()
  test(`the schemas are at ${SCHEMAS_DIR}`, () => {
    assert.ok(
      existsSync(SCHEMAS_DIR),
      `Grafana's JSON schemas are not at ${SCHEMAS_DIR} (shared/ beside the clone)`,
    )
  })
  for (const { file, build } of DASHBOARDS) {
    test(`grafana/dashboards/${file}`, () => {
      assert.deepEqual(dashboardErrors(JSON.parse(dashboardJson(build)), validators), [])
    })
  }

  test('the check finds what the schemas refuse, and the exception stays one pattern', () => {
    const [first] = DASHBOARDS
    assert.ok(first)
    const dashboard = JSON.parse(dashboardJson(first.build))
    const panel = (dashboard.panels as Json[]).find((p) => p.type === 'timeseries') as Json
    // The query-variable object form the generator used to write.
    dashboard.templating = { list: [{ type: 'query', name: 'x', query: { query: 'up', refId: 'x' } }] }
    // A scalar where the schema wants an object, outside the two CUE `_` fields.
    panel.fieldConfig.defaults.color = 'red'
    // Not a scalar in an excepted field: still an error.
    panel.fieldConfig.overrides = [{ matcher: { id: 'byRegexp', options: ['a'] }, properties: [] }]
    panel.targets[0].refId = 7
    const errors = dashboardErrors(dashboard, validators)
    for (const expected of [
      /templating\/list\/0\/query/,
      /fieldConfig\/defaults\/color/,
      /matcher\/options/,
      /targets\/0\/refId/,
    ]) {
      assert.ok(
        errors.some((e) => expected.test(e)),
        `${expected} not reported in ${errors.join('\n')}`,
      )
    }
  })
})
