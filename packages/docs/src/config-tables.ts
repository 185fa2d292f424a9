/**
 * The configuration reference, rendered from the services' own TypeBox schemas (the ones
 * loadConfig validates the environment with), so a default, a bound or a description changed
 * in the code changes the docs' tables, and the drift test notices when they were not rewritten.
 */
import { watcherConfigSchema } from '@production-lab/health-watcher'
import { baseConfigProperties } from '@production-lab/lifecycle'
import { readerConfigSchema } from '@production-lab/reader'
import { REPO_ROOT, stateRoot } from '@production-lab/stack'
import { writerConfigSchema } from '@production-lab/writer'
import type { TProperties, TSchema } from '@sinclair/typebox'
import { code, markdownTable } from './markdown-table.js'

/** The unit a variable's name promises (the repo's rule: units in names). */
const UNIT_SUFFIXES: readonly [suffix: string, unit: string][] = [
  ['_MS', 'ms'],
  ['_S', 's'],
  ['_BYTES', 'bytes'],
  ['_PERCENT', '%'],
  ['_CORES', 'cores'],
  ['_UTILIZATION', 'share 0..1'],
]

export function unitOf(name: string): string {
  return UNIT_SUFFIXES.find(([suffix]) => name.endsWith(suffix))?.[1] ?? ''
}

/** Paths under the machine's checkout or state dir, shown as the repo-relative path they are. */
function displayDefault(value: unknown): string {
  if (typeof value !== 'string') return code(String(value))
  const shown = value.replace(stateRoot(), '.lab').replace(`${REPO_ROOT}/`, '')
  return code(shown === '' ? '""' : shown)
}

function allowedValues(schema: TSchema): string {
  if (Array.isArray(schema.enum)) return (schema.enum as string[]).join(', ')
  if (schema.type === 'boolean') return 'true, false'
  const parts: string[] = []
  if (schema.type === 'integer') parts.push('integer')
  else if (schema.type === 'number') parts.push('number')
  else if (schema.type === 'string') parts.push('string')
  const low =
    schema.exclusiveMinimum !== undefined
      ? `> ${schema.exclusiveMinimum}`
      : schema.minimum !== undefined
        ? `>= ${schema.minimum}`
        : undefined
  if (low) parts.push(low)
  if (schema.maximum !== undefined) parts.push(`<= ${schema.maximum}`)
  if (typeof schema.minLength === 'number' && schema.minLength > 1)
    parts.push(`at least ${schema.minLength} characters`)
  if (typeof schema.pattern === 'string') parts.push(code(schema.pattern))
  return parts.join(' ')
}

/** "seconds: x" / "ms: x" lose the unit prefix that the unit column already states. */
const meaning = (schema: TSchema) =>
  String(schema.description ?? '').replace(/^(seconds|ms|bytes|cores|percent|share 0\.\.1|share):\s*/, '')

export function configTable(properties: TProperties, required: readonly string[] = []): string {
  const rows = Object.entries(properties).map(([name, schema]) => [
    code(name),
    schema.default !== undefined
      ? displayDefault(schema.default)
      : required.includes(name)
        ? 'required'
        : 'unset',
    unitOf(name),
    allowedValues(schema),
    meaning(schema),
  ])
  return markdownTable(['Variable', 'Default', 'Unit', 'Allowed', 'Meaning'], rows)
}

/** A service's own variables: those the base has not, and base ones whose schema it changed (its defaults). */
export function ownProperties(properties: TProperties): TProperties {
  const base: TProperties = baseConfigProperties
  return Object.fromEntries(
    Object.entries(properties).filter(
      ([name, schema]) => !(name in base) || JSON.stringify(schema) !== JSON.stringify(base[name]),
    ),
  )
}

/** The schemas of every service, by the generated block's name. The watcher's at LAB_PORT_OFFSET 0. */
export const configBlocks = {
  'config-lifecycle': () => configTable(baseConfigProperties, ['SERVICE_NAME']),
  'config-writer': () => configTable(ownProperties(writerConfigSchema.properties)),
  'config-reader': () => configTable(ownProperties(readerConfigSchema.properties)),
  'config-health-watcher': () => configTable(ownProperties(watcherConfigSchema(0).properties)),
} satisfies Record<string, () => string>
