/**
 * What every scenario does to the stack around its own steps, through the control
 * interface and HTTP only: require a healthy stack (arrange), set and clear faults, and
 * put the stack back as it was found (restore), also after a failure.
 */
import { describeRunState, type ServiceStatus, startWhenSettled } from '@production-lab/control'
import { describeJsonResponse, type OutcomeClass, type RetryOptions, runLoad } from '@production-lab/load'
import { READERS, WRITER } from '@production-lab/stack'
import type { ScenarioContext } from './types.js'
import { waitFor } from './wait.js'

export const WRITER_NAME = WRITER.name
export const READER_NAMES = READERS.map((reader) => reader.name)
export const LOAD_BALANCER_NAME = 'nginx_lb'

/** Timeouts of the stack helpers, milliseconds. */
const TIMEOUTS = {
  /** a service started again answers its readiness probe (the supervisor's own bound is 30 s) */
  healthyMs: 45_000,
  /**
   * a stop or start under way (the watcher's, or a scenario's) ends: a stop's grace period
   * (compose stop_grace_period 20 s) plus a start, with margin
   */
  settleMs: 45_000,
  /** nginx sends traffic to a replica again: the reload once it is ready, or its passive ejection (fail_timeout 3 s), plus margin */
  lbServesBothMs: 25_000,
  /** a service healthy inside its container answers on its published port too */
  reachableMs: 15_000,
}

export function serviceUrl(context: ScenarioContext, name: string): string {
  const url = context.endpoints.services[name]
  if (!url)
    throw new Error(
      `the stack's endpoints list no URL for ${name} (known: ${Object.keys(context.endpoints.services).join(', ')})`,
    )
  return url
}

/**
 * Milliseconds after a service's process is gone during which the load balancer may still
 * send it requests. Natively its port refuses at once: nginx answers 502 (or retries) right
 * away. In compose the container's address vanishes with it (a connect there times out: 504),
 * but nginx_lb's follower (infra/docker/nginx-upstream-follower.sh) holds a connection to the
 * service and marks it down the moment that connection ends, which a graceful stop does when
 * it stops listening, before the process exits. What is left is the reload itself (render,
 * `nginx -t`, reload: 70-300 ms measured here, each logged by nginx_lb); 1 s bounds it on a
 * busy machine.
 */
export function lbForgetsGoneMs(context: ScenarioContext): number {
  return context.target.kind === 'compose' ? 1000 : 0
}

/**
 * How a scenario's reads through the load balancer retry. nginx is reloaded whenever a reader
 * leaves or comes back (natively by the supervisor, in compose by nginx_lb's follower;
 * docs/load-balancing.md), and a reload closes idle keep-alive client connections: a read sent
 * on one at that instant gets a connection reset, which an HTTP client retries once (an
 * idempotent request that got no answer, RFC 9112 9.3.1). Retried requests are counted in
 * every summary, so it stays visible; L1.5 measures it.
 */
export function lbReadRetry(_context: ScenarioContext): RetryOptions | undefined {
  return { retries: 1, baseDelayMs: 0, maxDelayMs: 0, retryOn: new Set<OutcomeClass>(['conn_reset']) }
}

export function lbUrl(context: ScenarioContext, path: string): string {
  return `${context.endpoints.loadBalancer}${path}`
}

function adminHeaders(context: ScenarioContext): Record<string, string> {
  return { authorization: `Bearer ${context.endpoints.adminToken}` }
}

/** PUT /admin/faults on one service's own URL (never through the load balancer). */
export async function setFaults(
  context: ScenarioContext,
  name: string,
  faults: Record<string, number>,
): Promise<void> {
  const url = `${serviceUrl(context, name)}/admin/faults`
  const response = await context.http.call(url, {
    method: 'PUT',
    headers: adminHeaders(context),
    body: faults,
  })
  if (response.status !== 200)
    throw new Error(`PUT ${url} ${JSON.stringify(faults)} answered ${response.status}: ${response.text}`)
}

export async function clearFaults(context: ScenarioContext, name: string): Promise<void> {
  const url = `${serviceUrl(context, name)}/admin/faults`
  const response = await context.http.call(url, { method: 'DELETE', headers: adminHeaders(context) })
  if (response.status !== 200) throw new Error(`DELETE ${url} answered ${response.status}: ${response.text}`)
}

/**
 * clearFaults, retried while the service's published port refuses: a container just started
 * can be healthy inside (its healthcheck connects to the app from within) a moment before its
 * host port answers (run29, podman 4.3: T5's restore met "connect ECONNREFUSED" on both
 * readers right after they were healthy). Bounded; the last error is named on timeout.
 */
async function clearFaultsOnceReachable(context: ScenarioContext, name: string): Promise<void> {
  await waitFor(
    `${name} to answer DELETE /admin/faults on its published port`,
    async () => {
      await clearFaults(context, name)
      return true
    },
    { timeoutMs: TIMEOUTS.reachableMs, intervalMs: 250 },
  )
}

/** The app services and the load balancer, as the control interface lists them. */
async function watchedServices(context: ScenarioContext): Promise<ServiceStatus[]> {
  const wanted = new Set([...Object.keys(context.endpoints.services), LOAD_BALANCER_NAME])
  return (await context.target.ps()).filter((service) => wanted.has(service.name))
}

function describeStatus(service: ServiceStatus): string {
  return `${service.name} ${describeRunState(service)}${service.health === 'none' ? '' : ` (${service.health})`}`
}

const healthy = (service: ServiceStatus) =>
  service.state === 'running' &&
  (service.health === 'healthy' || (service.name === LOAD_BALANCER_NAME && service.health === 'none'))

/**
 * Waits until every named service runs and answers its probe as healthy. `signal` ends the
 * wait early (the user's interrupt); the restore passes null, so it completes regardless.
 */
export async function waitHealthy(
  context: ScenarioContext,
  names: string[],
  timeoutMs = TIMEOUTS.healthyMs,
  signal: AbortSignal | null = context.signal,
): Promise<void> {
  let last: ServiceStatus[] = []
  await waitFor(
    `${names.join(', ')} to be healthy`,
    async () => {
      last = (await context.target.ps()).filter((service) => names.includes(service.name))
      return names.every((name) => last.some((s) => s.name === name && healthy(s))) ? true : undefined
    },
    {
      timeoutMs,
      intervalMs: 200,
      seen: () => (last.length > 0 ? last.map(describeStatus).join(', ') : 'none of them listed'),
      ...(signal && { signal }),
    },
  )
}

/**
 * Leaves `name` running: waits out a stop or start under way (the health-watcher may be
 * restarting it), then starts it unless it runs already. See control's settle.ts.
 */
export async function ensureStarted(
  context: ScenarioContext,
  name: string,
  signal: AbortSignal | null = context.signal,
): Promise<void> {
  await startWhenSettled(context.target, name, { timeoutMs: TIMEOUTS.settleMs, ...(signal && { signal }) })
}

/** Reads through the load balancer until both replicas answer (nginx re-admits an ejected one after fail_timeout). */
export async function waitLbServesBoth(
  context: ScenarioContext,
  timeoutMs = TIMEOUTS.lbServesBothMs,
  signal: AbortSignal | null = context.signal,
): Promise<number> {
  const started = performance.now()
  const replicas = READERS.map((reader) => reader.serviceName)
  await waitFor(
    `the load balancer to send reads to ${replicas.join(' and ')}`,
    async () => {
      const run = await runLoad({
        url: lbUrl(context, '/read'),
        requests: 8,
        connections: 1,
        describe: describeJsonResponse,
        retry: lbReadRetry(context),
      })
      return replicas.every((replica) => (run.summary.labels[replica] ?? 0) > 0) ? true : undefined
    },
    { timeoutMs, intervalMs: 500, ...(signal && { signal }) },
  )
  return performance.now() - started
}

export interface StackSnapshot {
  /** services (apps and the load balancer) running when the scenario began */
  running: string[]
}

/** Arrange: every app service and the load balancer run and are healthy; returns what runs. */
export async function requireHealthyStack(context: ScenarioContext): Promise<StackSnapshot> {
  const services = await watchedServices(context)
  const names = services.map((service) => service.name)
  const missing = [WRITER_NAME, ...READER_NAMES, LOAD_BALANCER_NAME].filter((name) => !names.includes(name))
  if (missing.length > 0) throw new Error(`the stack has no ${missing.join(', ')}: is it the lab's stack?`)
  try {
    await waitHealthy(context, names, 20_000)
  } catch (error) {
    throw new Error(`the stack is not healthy before the scenario: ${(error as Error).message}`)
  }
  return { running: names }
}

/**
 * Restore: faults cleared on every app service, every service that ran at the start
 * running and healthy again, and the load balancer sending reads to both replicas.
 * Every step is tried even when one fails; the first failure is rethrown at the end.
 */
export async function restoreStack(context: ScenarioContext, snapshot: StackSnapshot): Promise<void> {
  const failures: string[] = []
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    try {
      await step()
    } catch (error) {
      failures.push(`${what}: ${(error as Error).message}`)
    }
  }
  for (const name of snapshot.running) {
    await attempt(`start ${name}`, () => ensureStarted(context, name, null))
  }
  // No interrupt signal here: an interrupted run still leaves the stack as it found it.
  await attempt('wait healthy', () => waitHealthy(context, snapshot.running, TIMEOUTS.healthyMs, null))
  for (const name of Object.keys(context.endpoints.services)) {
    if (snapshot.running.includes(name))
      await attempt(`clear faults on ${name}`, () => clearFaultsOnceReachable(context, name))
  }
  if (READER_NAMES.every((name) => snapshot.running.includes(name))) {
    await attempt('load balancer', () => waitLbServesBoth(context, TIMEOUTS.lbServesBothMs, null))
  }
  if (failures.length > 0) throw new Error(`could not restore the stack: ${failures.join('; ')}`)
}

/**
 * Runs `body` between requireHealthyStack (arrange) and restoreStack, which always runs,
 * as a finally would. When both fail, the scenario's own failure is the message that
 * explains the run; the restore failure is shown as progress.
 */
export async function withRestoredStack(context: ScenarioContext, body: () => Promise<void>): Promise<void> {
  const snapshot = await requireHealthyStack(context)
  let bodyFailure: { error: unknown } | undefined
  try {
    await body()
  } catch (error) {
    bodyFailure = { error }
  }
  context.progress('restoring the stack')
  try {
    await restoreStack(context, snapshot)
  } catch (restoreError) {
    if (!bodyFailure) throw restoreError
    context.progress(`also: ${(restoreError as Error).message}`)
  }
  if (bodyFailure) throw bodyFailure.error
}
