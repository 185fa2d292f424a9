/**
 * What the health-watcher scenarios share: the watcher's GET /status and /metrics as the
 * stack serves them, waiting for a target's state, and the watcher's own settings, so every
 * bound a scenario checks is derived from the configuration it runs against.
 */
import { describeRunState, type ProcessStatus } from '@production-lab/control'
import { type AppServiceSpec, HEALTH_WATCHER, READERS } from '@production-lab/stack'
import { serviceUrl } from './arrange.js'
import { readMetric } from './metrics.js'
import type { ScenarioContext } from './types.js'
import { waitFor } from './wait.js'

export interface WatcherSettings {
  probeIntervalMs: number
  probeTimeoutMs: number
  rise: number
  fall: number
  restartBudget: number
  budgetWindowS: number
  backoffBaseMs: number
  backoffMaxMs: number
  startPeriodMs: number
  drainGraceS: number
}

export interface WatchedTargetStatus {
  name: string
  state: string
  restarts: { total: number; inWindow: number; remaining: number }
  lastTransition?: { from: string; to: string; at: string; reason: string }
}

export interface WatcherStatus {
  adapter: string
  settings: WatcherSettings
  targets: WatchedTargetStatus[]
}

export const HEALTH_WATCHER_NAME = HEALTH_WATCHER.name

/**
 * milliseconds allowed for a restarted reader to start and pass its probes: ready in < 1 s when
 * idle, but a container start through podman on a 2-core machine shared with other builds took
 * 6.7 s (W1 healthy 9.7 s after the kill, over a 5 s allowance): the point is a restart without
 * a human, the measured time is printed beside it.
 */
export const START_ALLOWANCE_MS = 10_000

/** The reader the watcher scenarios break: the second (weight 1), so most reads keep flowing. */
export function victimReader(): AppServiceSpec {
  const victim = READERS[1] ?? READERS[0]
  if (!victim) throw new Error('the topology has no reader')
  return victim
}

export function watcherUrl(context: ScenarioContext): string {
  return serviceUrl(context, HEALTH_WATCHER_NAME)
}

export async function watcherStatus(context: ScenarioContext): Promise<WatcherStatus> {
  const response = await context.http.call(`${watcherUrl(context)}/status`, { timeoutMs: 5000 })
  if (response.status !== 200)
    throw new Error(`GET ${watcherUrl(context)}/status answered ${response.status}: ${response.text}`)
  return response.json as WatcherStatus
}

/** milliseconds the watcher may take to see a healthy target up (rise probes on a loaded machine) */
const SEE_UP_MS = 15_000

/**
 * Arrange: the watcher watches `name`, may restart it, and sees it up (not merely healthy to the
 * control plane a moment ago: the watcher needs `rise` probes), so what it sees next is the act.
 */
export async function requireWatched(context: ScenarioContext, name: string): Promise<WatcherStatus> {
  const status = await watcherStatus(context)
  if (status.adapter === 'observe')
    throw new Error('the health-watcher runs with WATCHER_ADAPTER=observe: it restarts nothing')
  if (!status.targets.some((t) => t.name === name)) {
    throw new Error(
      `the health-watcher does not watch ${name} (it watches ${status.targets.map((t) => t.name).join(', ')})`,
    )
  }
  await waitForWatcherState(context, name, ['up'], SEE_UP_MS)
  return watcherStatus(context)
}

export function targetOf(status: WatcherStatus, name: string): WatchedTargetStatus {
  const target = status.targets.find((t) => t.name === name)
  if (!target) throw new Error(`the health-watcher's status has no target ${name}`)
  return target
}

/** Polls the watcher until `name` is in one of `states`; returns the target's status then. */
export async function waitForWatcherState(
  context: ScenarioContext,
  name: string,
  states: string[],
  timeoutMs: number,
): Promise<WatchedTargetStatus> {
  let last: WatchedTargetStatus | undefined
  return waitFor(
    `the health-watcher to see ${name} ${states.join(' or ')}`,
    async () => {
      last = targetOf(await watcherStatus(context), name)
      return states.includes(last.state) ? last : undefined
    },
    { timeoutMs, intervalMs: 100, signal: context.signal, seen: () => last && `watcher state ${last.state}` },
  )
}

export async function watcherMetric(
  context: ScenarioContext,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  return readMetric(context.http, watcherUrl(context), name, labels)
}

export function processOf(context: ScenarioContext, name: string): Promise<ProcessStatus> {
  // The process alone: a hung victim's health probe would slow every poll by its timeout.
  return context.target.processStatus(name)
}

/** Waits until `name` runs with a pid other than `oldPid`; returns its status. */
export async function waitNewProcess(
  context: ScenarioContext,
  name: string,
  oldPid: number | null,
  timeoutMs: number,
): Promise<ProcessStatus> {
  let last: ProcessStatus | undefined
  return waitFor(
    `${name} to run again with a new process (old pid ${oldPid})`,
    async () => {
      last = await processOf(context, name)
      return last.state === 'running' && last.pid !== null && last.pid !== oldPid ? last : undefined
    },
    {
      timeoutMs,
      intervalMs: 100,
      signal: context.signal,
      seen: () => last && `${name} ${describeRunState(last)}, pid ${last.pid}`,
    },
  )
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
