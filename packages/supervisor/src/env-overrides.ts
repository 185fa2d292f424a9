/**
 * What `PUT /services/:name/env` may set. An arbitrary variable is code execution as the
 * stack's user (NODE_OPTIONS=--require, LD_PRELOAD), so an override must be a key of that
 * service's configuration schema (ProcessSpec.configSchema; a process without one accepts
 * none), not a secret the supervisor sets itself, and the service's whole configuration
 * with it must pass the schema. Refusals name the key: 400 ENV_KEY_NOT_ALLOWED / ENV_INVALID.
 */
import { ConfigError, loadConfig } from '@production-lab/lifecycle'
import type { TObject } from '@sinclair/typebox'

/** Set by the supervisor and never changed, nor shown, through the API. */
export const SECRET_ENV_KEYS: ReadonlySet<string> = new Set(['ADMIN_TOKEN', 'CONTROL_TOKEN_FILE'])

export class EnvRefused extends Error {
  constructor(
    readonly code: 'ENV_KEY_NOT_ALLOWED' | 'ENV_INVALID',
    message: string,
  ) {
    super(message)
  }
}

/**
 * Checks `overrides` for a process named `name` whose environment would become
 * `environment` + `overrides`; throws EnvRefused naming the first bad key.
 */
export function checkEnvOverrides(
  name: string,
  schema: TObject | undefined,
  environment: Record<string, string>,
  overrides: Record<string, string>,
): void {
  for (const key of Object.keys(overrides)) {
    if (schema === undefined || !(key in schema.properties) || SECRET_ENV_KEYS.has(key)) {
      throw new EnvRefused(
        'ENV_KEY_NOT_ALLOWED',
        `${key} is not a configuration key of ${name}: only keys of its config schema may be overridden${schema === undefined ? ` (${name} has none)` : ''}`,
      )
    }
  }
  try {
    loadConfig(schema as TObject, { ...environment, ...overrides })
  } catch (error) {
    if (error instanceof ConfigError) throw new EnvRefused('ENV_INVALID', error.problems.join('; '))
    throw error
  }
}

/** The service's configuration as the API shows it: its schema's keys only, secrets left out. */
export function visibleEnv(
  schema: TObject | undefined,
  environment: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(
      ([key]) => schema !== undefined && key in schema.properties && !SECRET_ENV_KEYS.has(key),
    ),
  )
}
