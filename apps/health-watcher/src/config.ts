/**
 * The watcher's configuration: the lifecycle package's base settings plus its own, validated
 * by schema before anything starts, with one error line per bad variable.
 */

import { ConfigError, loadConfig, StringEnum, serviceConfigSchema } from '@production-lab/lifecycle'
import {
  appPort,
  controlTokenFile,
  HEALTH_WATCHER,
  portOffsetFromEnv,
  stackPorts,
} from '@production-lab/stack'
import { type Static, Type } from '@sinclair/typebox'
import { watcherDefaults as d } from './defaults.js'
import { parseWatchTargets, type WatchTarget } from './watch-targets.js'

export const ADAPTERS = ['native', 'docker', 'observe'] as const
export type AdapterKind = (typeof ADAPTERS)[number]

const positiveMs = (value: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 3_600_000, default: value, description })

/** The schema, its defaults the native stack's of this port offset (LAB_PORT_OFFSET). */
export const watcherConfigSchema = (offset: number) =>
  serviceConfigSchema(
    {
      // Nothing routes traffic to the watcher, so there is no load balancer to wait for.
      GRACEFUL_SHUTDOWN_DELAY_S: Type.Number({
        minimum: 0,
        maximum: 300,
        default: 0,
        description: 'seconds /health answers 503 before the server stops listening',
      }),
      WATCHER_ADAPTER: StringEnum(ADAPTERS, {
        default: 'native',
        description: 'how to restart: native control API, Docker Engine API, or observe only',
      }),
      CONTROL_URL: Type.String({
        pattern: '^https?://',
        default: `http://127.0.0.1:${stackPorts(offset).control}`,
        description: "the native stack's control API (WATCHER_ADAPTER=native)",
      }),
      CONTROL_TOKEN_FILE: Type.String({
        minLength: 1,
        default: controlTokenFile({ ...process.env, LAB_PORT_OFFSET: String(offset) }),
        description:
          "the file holding the control API's bearer token (WATCHER_ADAPTER=native; the supervisor sets it)",
      }),
      DOCKER_SOCKET: Type.String({
        minLength: 1,
        default: d.dockerSocket,
        description: 'Docker Engine API unix socket (WATCHER_ADAPTER=docker)',
      }),
      AUTOHEAL_LABEL: Type.String({
        minLength: 1,
        default: d.autohealLabel,
        description: 'containers are restarted only when this label is "true" (WATCHER_ADAPTER=docker)',
      }),
      WATCH_TARGETS: Type.Optional(
        Type.String({
          description: 'JSON [{"name":"app_fast_1","url":"http://127.0.0.1:7002"}]; default: the topology',
        }),
      ),
      PROBE_INTERVAL_MS: positiveMs(d.probeIntervalMs, 'ms between two probes of one target'),
      PROBE_TIMEOUT_MS: positiveMs(d.probeTimeoutMs, 'ms one probe may take'),
      PROBE_STALL_TOLERANCE_MS: positiveMs(
        d.probeStallToleranceMs,
        'ms the watcher itself may stall during a probe for its timeout to count against the target',
      ),
      RISE: Type.Integer({
        minimum: 1,
        maximum: 100,
        default: d.rise,
        description: 'good probes in a row to be up',
      }),
      FALL: Type.Integer({
        minimum: 1,
        maximum: 100,
        default: d.fall,
        description: 'liveness failures in a row to be down',
      }),
      RESTART_BUDGET: Type.Integer({
        minimum: 0,
        maximum: 1000,
        default: d.restartBudget,
        description: 'restarts per target within BUDGET_WINDOW_S before giving up',
      }),
      BUDGET_WINDOW_S: Type.Integer({ minimum: 1, maximum: 86_400, default: d.budgetWindowS }),
      BACKOFF_BASE_MS: positiveMs(
        d.backoffBaseMs,
        'ms before the second restart in the window; doubles each time',
      ),
      BACKOFF_MAX_MS: positiveMs(d.backoffMaxMs, 'longest ms between two restarts'),
      START_PERIOD_MS: Type.Integer({
        minimum: 0,
        maximum: 3_600_000,
        default: d.startPeriodMs,
        description: 'ms after a restart in which liveness failures do not count',
      }),
      DRAIN_GRACE_S: Type.Integer({
        minimum: 0,
        maximum: 3600,
        default: d.drainGraceS,
        description: 'seconds a draining target may fail liveness before it counts as hung',
      }),
      STOP_TIMEOUT_S: Type.Integer({
        minimum: 0,
        maximum: 600,
        default: d.stopTimeoutS,
        description: 'seconds a restart waits after SIGTERM before SIGKILL',
      }),
      REMEDIATION_TIMEOUT_MS: positiveMs(d.remediationTimeoutMs, 'ms one restart call may take'),
      REMEDIATION_BREAKER_VOLUME: Type.Integer({
        minimum: 1,
        maximum: 1000,
        default: d.remediationBreakerVolume,
      }),
      STARTUP_CHECK_TIMEOUT_MS: positiveMs(
        d.startupCheckTimeoutMs,
        'ms to wait for the control API or socket at start',
      ),
    },
    { SERVICE_NAME: HEALTH_WATCHER.serviceName, PORT: appPort(HEALTH_WATCHER, offset) },
  )

export type WatcherEnvConfig = Static<ReturnType<typeof watcherConfigSchema>>
export interface WatcherConfig extends WatcherEnvConfig {
  targets: WatchTarget[]
}

/** Reads and checks the environment; throws ConfigError naming every bad variable. */
export function loadWatcherConfig(env: NodeJS.ProcessEnv = process.env): WatcherConfig {
  const offset = portOffsetFromEnv(env)
  const config = loadConfig(watcherConfigSchema(offset), env)
  const problems: string[] = []
  if (config.BACKOFF_MAX_MS < config.BACKOFF_BASE_MS) {
    problems.push(
      `BACKOFF_MAX_MS=${JSON.stringify(String(config.BACKOFF_MAX_MS))} is invalid: expected a number >= BACKOFF_BASE_MS (${config.BACKOFF_BASE_MS})`,
    )
  }
  let targets: WatchTarget[] = []
  try {
    targets = parseWatchTargets(config.WATCH_TARGETS, config.WATCHER_ADAPTER, offset)
  } catch (error) {
    problems.push((error as Error).message)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { ...config, targets }
}
