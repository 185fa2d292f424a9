/**
 * Configuration from the environment, validated by schema before anything listens.
 * A bad or missing value yields one line per variable that names it, shows the value
 * and says what is expected; `loadConfigOrExit` prints those lines and exits 78
 * (EX_CONFIG) so a misconfigured service never starts half-working.
 */
import { readFileSync } from 'node:fs'
import { type Static, type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox'
import { Ajv, type ErrorObject } from 'ajv'
import { defaults } from './defaults.js'

export const EXIT_CONFIG_ERROR = 78

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** A string restricted to `values`, as a plain JSON-schema enum (clearer errors than anyOf). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { default?: T[number]; description?: string } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

/** The settings every service built on the package has. */
export const baseConfigProperties = {
  SERVICE_NAME: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_.-]+$',
    description: 'name in logs, metrics (label service) and responses',
  }),
  HOST: Type.String({ minLength: 1, default: defaults.host, description: 'address to listen on' }),
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: defaults.port,
    description: 'TCP port (0 = any free port)',
  }),
  LOG_LEVEL: StringEnum(LOG_LEVELS, { default: defaults.logLevel, description: 'pino log level' }),
  LOG_REQUESTS: Type.Boolean({
    default: true,
    description: 'one access log line per request (route, status, duration)',
  }),
  ACCEPT_SOCKETS: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: defaults.acceptSockets,
    description:
      'listening sockets on the port (SO_REUSEPORT when > 1): each accepts one new connection per event-loop iteration',
  }),
  GRACEFUL_SHUTDOWN_DELAY_S: Type.Number({
    minimum: 0,
    maximum: 300,
    default: defaults.gracefulShutdownDelayS,
    description: 'seconds: /health answers 503 this long before the server stops listening',
  }),
  SHUTDOWN_TIMEOUT_S: Type.Number({
    exclusiveMinimum: 0,
    maximum: 600,
    default: defaults.shutdownTimeoutS,
    description: 'seconds: bound on the whole shutdown; then in-flight work is cut, exit 1',
  }),
  HEADERS_TIMEOUT_S: Type.Number({
    exclusiveMinimum: 0,
    maximum: 3600,
    default: defaults.headersTimeoutS,
    description: 'seconds: a client sending its request head slower than this is cut off (408)',
  }),
  REQUEST_TIMEOUT_S: Type.Number({
    exclusiveMinimum: 0,
    maximum: 3600,
    default: defaults.requestTimeoutS,
    description: 'seconds: a client sending its whole request slower than this is cut off (408)',
  }),
  CONNECTION_TIMEOUT_S: Type.Number({
    exclusiveMinimum: 0,
    maximum: 3600,
    default: defaults.connectionTimeoutS,
    description: 'seconds: a socket silent this long while its request is in progress is closed',
  }),
  KEEP_ALIVE_TIMEOUT_S: Type.Number({
    exclusiveMinimum: 0,
    maximum: 3600,
    default: defaults.keepAliveTimeoutS,
    description:
      'seconds: idle keep-alive connections are kept this long; keep above the proxy upstream idle timeout',
  }),
  BODY_LIMIT_BYTES: Type.Integer({
    minimum: 1,
    maximum: 16 * 1024 * 1024,
    default: defaults.bodyLimitBytes,
    description: 'bytes: largest request body; larger gets 413',
  }),
  RETRY_AFTER_S: Type.Integer({
    minimum: 0,
    maximum: 3600,
    default: defaults.retryAfterS,
    description: 'seconds: Retry-After on 503s from draining, shedding and probes',
  }),
  SHED_MAX_EVENT_LOOP_DELAY_MS: Type.Number({
    minimum: 0,
    default: defaults.maxEventLoopDelayMs,
    description: 'ms: mean event-loop delay per sample above which requests are shed (0 = off)',
  }),
  SHED_MAX_HEAP_USED_BYTES: Type.Integer({
    minimum: 0,
    default: defaults.maxHeapUsedBytes,
    description: 'bytes: V8 heap used above which requests are shed (0 = off)',
  }),
  SHED_MAX_RSS_BYTES: Type.Integer({
    minimum: 0,
    default: defaults.maxRssBytes,
    description: 'bytes: resident memory above which requests are shed (0 = off)',
  }),
  SHED_MAX_EVENT_LOOP_UTILIZATION: Type.Number({
    minimum: 0,
    maximum: 1,
    default: defaults.maxEventLoopUtilization,
    description: 'share 0..1: event-loop utilisation above which requests are shed (0 = off)',
  }),
  SHED_MAX_IN_FLIGHT: Type.Integer({
    minimum: 0,
    default: defaults.maxInFlight,
    description: 'count: requests in flight above which a new request is shed with 503 (0 = off)',
  }),
  SHED_MAX_QUEUE_MS: Type.Number({
    minimum: 0,
    default: defaults.maxQueueMs,
    description:
      'ms: a request that waited longer since the proxy sent it (X-Request-Start) is shed with 503 (0 = off)',
  }),
  SHED_SAMPLE_INTERVAL_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: defaults.pressureSampleIntervalMs,
    description: 'ms: how often the shedding thresholds are sampled',
  }),
  BREAKER_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: defaults.breakerTimeoutMs,
    description: 'ms: a protected call slower than this fails',
  }),
  BREAKER_ERROR_THRESHOLD_PERCENT: Type.Number({
    exclusiveMinimum: 0,
    maximum: 100,
    default: defaults.breakerErrorThresholdPercent,
    description: 'percent: failed share of calls in the window that opens a breaker',
  }),
  BREAKER_VOLUME_THRESHOLD: Type.Integer({
    minimum: 0,
    default: defaults.breakerVolumeThreshold,
    description: 'calls in the window before a breaker may open',
  }),
  BREAKER_RESET_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: defaults.breakerResetTimeoutMs,
    description: 'ms: an open breaker waits this long before a half-open trial call',
  }),
  BREAKER_ROLLING_WINDOW_MS: Type.Integer({
    minimum: 100,
    default: defaults.breakerRollingWindowMs,
    description: 'ms: the window failures are counted in',
  }),
  ADMIN_TOKEN: Type.Optional(
    Type.String({ minLength: 8, description: 'bearer token for /admin; unset disables the admin routes' }),
  ),
  CPU_LIMIT_CORES: Type.Number({
    minimum: 0,
    default: 0,
    description: 'cores: CPU limit applied from outside, exported as a metric (0 = none)',
  }),
  MEMORY_LIMIT_BYTES: Type.Integer({
    minimum: 0,
    default: 0,
    description: 'bytes: memory limit applied from outside, exported as a metric (0 = none)',
  }),
} satisfies TProperties

/**
 * Variables whose values never appear in error messages. Each can also come from a file named
 * by <NAME>_FILE (Docker's secrets convention: the compose stack's init step writes a random
 * token to a volume and the services read it from there, so it is in no environment).
 */
const SECRET_VARIABLES = new Set(['ADMIN_TOKEN'])

/** `NAME_FILE`'s content (trailing newline dropped) for each secret NAME the environment leaves unset. */
function secretsFromFiles(env: NodeJS.ProcessEnv, problems: Map<string, string>): Record<string, string> {
  const found: Record<string, string> = {}
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`]
    if ((env[name] ?? '') !== '' || file === undefined || file === '') continue
    try {
      found[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (error) {
      problems.set(
        name,
        `${name}_FILE=${JSON.stringify(file)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      )
    }
  }
  return found
}

/**
 * The schema of one service: the base settings plus its own, with its own defaults
 * (for example SERVICE_NAME and PORT).
 */
export function serviceConfigSchema<P extends TProperties>(
  own: P,
  overrides: { SERVICE_NAME: string; PORT: number },
) {
  return Type.Object({
    ...baseConfigProperties,
    SERVICE_NAME: Type.String({ ...baseConfigProperties.SERVICE_NAME, default: overrides.SERVICE_NAME }),
    PORT: Type.Integer({ ...baseConfigProperties.PORT, default: overrides.PORT }),
    ...own,
  })
}

export type BaseConfig = Static<TObject<typeof baseConfigProperties>>

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false })

function expected(schema: TSchema): string {
  const parts: string[] = []
  if (schema.enum) parts.push(`one of ${(schema.enum as string[]).join(', ')}`)
  else if (schema.type === 'integer') parts.push('an integer')
  else if (schema.type === 'number') parts.push('a number')
  else if (schema.type === 'boolean') parts.push('true or false')
  else if (schema.type === 'string') parts.push('a string')
  if (schema.minimum !== undefined) parts.push(`>= ${schema.minimum}`)
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`)
  if (schema.maximum !== undefined) parts.push(`<= ${schema.maximum}`)
  if (schema.minLength !== undefined && schema.minLength > 1)
    parts.push(`at least ${schema.minLength} characters`)
  if (schema.pattern !== undefined) parts.push(`matching ${schema.pattern}`)
  const text = parts.join(' ')
  return schema.description ? `${text} (${schema.description})` : text
}

function variableOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String(error.params.missingProperty)
  return error.instancePath.replace(/^\//, '')
}

/**
 * Reads the schema's variables from `env`, applies defaults and coerces types.
 * Empty values count as unset; an unset secret (ADMIN_TOKEN) is read from the file its
 * <NAME>_FILE names, if set. Throws ConfigError listing every bad variable.
 */
export function loadConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Static<T> {
  const problems = new Map<string, string>()
  const fromFiles = secretsFromFiles(env, problems)
  const raw: Record<string, string> = {}
  for (const name of Object.keys(schema.properties)) {
    const value = env[name] || fromFiles[name]
    if (value !== undefined && value !== '') raw[name] = value
  }
  const config: Record<string, unknown> = { ...raw }
  const validate = ajv.compile(schema)
  if (!validate(config)) {
    for (const error of validate.errors ?? []) {
      const name = variableOf(error)
      if (problems.has(name)) continue
      const propertySchema = schema.properties[name] as TSchema | undefined
      const shown = SECRET_VARIABLES.has(name)
        ? `(${raw[name]?.length ?? 0} characters, hidden)`
        : JSON.stringify(raw[name])
      problems.set(
        name,
        raw[name] === undefined
          ? `${name} is required: expected ${propertySchema ? expected(propertySchema) : 'a value'}`
          : `${name}=${shown} is invalid: expected ${propertySchema ? expected(propertySchema) : error.message}`,
      )
    }
  }
  if (
    problems.size === 0 &&
    typeof config.SHUTDOWN_TIMEOUT_S === 'number' &&
    typeof config.GRACEFUL_SHUTDOWN_DELAY_S === 'number' &&
    config.SHUTDOWN_TIMEOUT_S <= config.GRACEFUL_SHUTDOWN_DELAY_S
  ) {
    problems.set(
      'SHUTDOWN_TIMEOUT_S',
      `SHUTDOWN_TIMEOUT_S=${raw.SHUTDOWN_TIMEOUT_S === undefined ? `${config.SHUTDOWN_TIMEOUT_S} (the default)` : JSON.stringify(raw.SHUTDOWN_TIMEOUT_S)} is invalid: expected a number > GRACEFUL_SHUTDOWN_DELAY_S (${config.GRACEFUL_SHUTDOWN_DELAY_S}), or the drain could never finish`,
    )
  }
  if (
    problems.size === 0 &&
    typeof config.HEADERS_TIMEOUT_S === 'number' &&
    typeof config.REQUEST_TIMEOUT_S === 'number' &&
    config.HEADERS_TIMEOUT_S > config.REQUEST_TIMEOUT_S
  ) {
    problems.set(
      'HEADERS_TIMEOUT_S',
      `HEADERS_TIMEOUT_S=${config.HEADERS_TIMEOUT_S} is invalid: expected a number <= REQUEST_TIMEOUT_S (${config.REQUEST_TIMEOUT_S}): the head is part of the request`,
    )
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()])
  return config as Static<T>
}

/** loadConfig for a main.ts: on error, prints one line per bad variable to stderr and exits 78. */
export function loadConfigOrExit<T extends TObject>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): Static<T> {
  return orExitOnConfigError(() => loadConfig(schema, env))
}

/** Runs a config loader for a main.ts (one with checks of its own): a ConfigError prints one line per problem and exits 78. */
export function orExitOnConfigError<T>(load: () => T): T {
  try {
    return load()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const line of error.problems) process.stderr.write(`config error: ${line}\n`)
    process.exit(EXIT_CONFIG_ERROR)
  }
}
