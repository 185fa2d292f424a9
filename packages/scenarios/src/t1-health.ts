/**
 * T1, the guide's health checks and dependency management: every service healthy; with
 * app_fast_1 stopped, reads still succeed and all come from FAST_REPLICA_2; started
 * again, traffic returns to both replicas.
 */

import { describeJsonResponse, formatMs, formatSummaryLine, runLoad } from '@production-lab/load'
import { READERS } from '@production-lab/stack'
import {
  ensureStarted,
  LOAD_BALANCER_NAME,
  lbReadRetry,
  lbUrl,
  READER_NAMES,
  WRITER_NAME,
  waitHealthy,
  waitLbServesBoth,
} from './arrange.js'
import { runNumbers, splitText } from './measure.js'
import { resetRetries } from './reset-retries.js'
import type { ScenarioContext } from './types.js'

/** reads sent while app_fast_1 is stopped */
const READS_WHILE_STOPPED = 50
/** nginx reloads the stop causes (app_fast_1 out of rotation), which may reset a read */
const RELOADS_WHILE_STOPPED = 1

/** T1: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function t1Health(context: ScenarioContext): Promise<void> {
  const [stopped, remaining] = READERS as [(typeof READERS)[0], (typeof READERS)[0]]
  const services = (await context.target.ps()).filter(
    (s) => s.name in context.endpoints.services || s.name === LOAD_BALANCER_NAME,
  )
  const lbHealth = await context.http.call(lbUrl(context, '/lb-health'))
  const apps = services.filter((s) => s.name !== LOAD_BALANCER_NAME)
  const lb = services.find((s) => s.name === LOAD_BALANCER_NAME)
  // The guide's order: nginx starts once the apps behind it are up (the watcher comes after nginx).
  const behindLb = apps.filter((s) => s.name === WRITER_NAME || READER_NAMES.includes(s.name))
  const lbAfterApps =
    lb?.startedAt != null &&
    behindLb.every((s) => s.startedAt != null && s.startedAt <= (lb.startedAt as string))
  context.check({
    name: '1.1 every service is healthy (docker ps)',
    // The start order is part of the verdict: a stack that started nginx before its apps
    // passed before (the order was only printed). An app restarted since also fails it.
    passed:
      apps.every((s) => s.state === 'running' && s.health === 'healthy') &&
      lb?.state === 'running' &&
      lbHealth.status === 200 &&
      lbAfterApps,
    expected:
      'every app running (healthy); nginx_lb running, answering /lb-health and started after app_slow, app_fast_1, app_fast_2',
    actual: `${services.map((s) => `${s.name} ${s.state}${s.health === 'none' ? '' : ` (${s.health})`}`).join(', ')}; /lb-health ${lbHealth.status}; nginx_lb started ${lbAfterApps ? 'after' : 'before (or an app was restarted since: T1 judges a freshly started stack, e.g. lab test --start-stack)'} app_slow, app_fast_1, app_fast_2`,
  })

  context.progress(`stopping ${stopped.name}`)
  await context.target.stop(stopped.name)
  const whileStopped = await runLoad({
    name: `${READS_WHILE_STOPPED} reads with ${stopped.name} stopped`,
    url: lbUrl(context, '/read'),
    requests: READS_WHILE_STOPPED,
    connections: 1,
    describe: describeJsonResponse,
    retry: lbReadRetry(context),
  })
  context.record(whileStopped)
  const s = whileStopped.summary
  const resets = resetRetries(whileStopped, RELOADS_WHILE_STOPPED)
  context.check({
    name: `1.2 reads succeed with ${stopped.name} stopped, all from ${remaining.serviceName}`,
    passed:
      s.served === READS_WHILE_STOPPED &&
      s.labels[remaining.serviceName] === READS_WHILE_STOPPED &&
      resets.withinBound,
    expected: `${READS_WHILE_STOPPED}/${READS_WHILE_STOPPED} reads answered 200 by ${remaining.serviceName}; ${resets.bound}`,
    actual: `${s.served}/${s.requests} served; ${splitText(s)}; ${resets.seen}; ${formatSummaryLine(s)}`,
    numbers: { ...runNumbers(s), resetsRetried: resets.retried, maxResetsRetried: resets.max },
  })

  context.progress(`starting ${stopped.name}`)
  const startedAt = performance.now()
  let healthyMs = Number.NaN
  let backMs = Number.NaN
  let problem: string | undefined
  try {
    await ensureStarted(context, stopped.name)
    await waitHealthy(context, [stopped.name])
    healthyMs = performance.now() - startedAt
    backMs = await waitLbServesBoth(context)
  } catch (error) {
    problem = (error as Error).message
  }
  context.check({
    name: `1.3 ${stopped.name} started again: traffic returns to both replicas`,
    passed: problem === undefined,
    expected: `${stopped.name} healthy, then reads answered by both ${READERS.map((r) => r.serviceName).join(' and ')}`,
    actual:
      problem ??
      `healthy ${formatMs(healthyMs)} after start; both replicas serving ${formatMs(backMs)} later (nginx re-admits a replica once it is ready: a reload)`,
    ...(problem === undefined && {
      numbers: { healthyAfterMs: Math.round(healthyMs), bothServingAfterMs: Math.round(backMs) },
    }),
  })
}
