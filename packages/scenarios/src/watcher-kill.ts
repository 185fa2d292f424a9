/**
 * W1, the guide's improvement 2: a reader killed with SIGKILL (a crash, no drain) is restarted
 * by the health-watcher within interval x fall + start time, and nginx's 3:1 split comes back.
 */

import { describeJsonResponse, runLoad } from '@production-lab/load'
import { judgeReadSplit, READERS } from '@production-lab/stack'
import { lbReadRetry, lbUrl, waitHealthy, waitLbServesBoth } from './arrange.js'
import { splitCounts, splitText } from './measure.js'
import { resetRetries } from './reset-retries.js'
import type { ScenarioContext } from './types.js'
import {
  processOf,
  requireWatched,
  START_ALLOWANCE_MS,
  seconds,
  targetOf,
  waitForWatcherState,
  waitNewProcess,
  watcherMetric,
} from './watcher-support.js'

const W1 = {
  /** sequential reads counted once both replicas serve again: 3:1 gives exactly 30/10 */
  splitReads: 40,
  /** reads either replica may miss its weighted share by (5 percentage points of 40: other traffic may interleave) */
  splitToleranceReads: 2,
  /** nginx reloads that may overlap the split reads: the restarted reader's return to rotation finishing */
  splitReloads: 1,
}

/** W1: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function watcherKill(context: ScenarioContext): Promise<void> {
  const [victim] = READERS as [(typeof READERS)[0]]
  const status = await requireWatched(context, victim.name)
  const { probeIntervalMs, fall } = status.settings
  const restartsBefore = targetOf(status, victim.name).restarts.total
  const metricBefore = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  const before = await processOf(context, victim.name)

  context.progress(`SIGKILL ${victim.name} (pid ${before.pid})`)
  const killedAt = performance.now()
  await context.target.kill(victim.name, 'SIGKILL')
  const boundMs = probeIntervalMs * fall + START_ALLOWANCE_MS
  let restartedMs = Number.NaN
  let problem: string | undefined
  try {
    const after = await waitNewProcess(context, victim.name, before.pid, boundMs * 3)
    await waitHealthy(context, [victim.name], boundMs * 3)
    restartedMs = performance.now() - killedAt
    context.progress(`${victim.name} serving again as pid ${after.pid} after ${seconds(restartedMs)}`)
  } catch (error) {
    problem = (error as Error).message
  }
  context.check({
    name: `W1.1 ${victim.name} killed with SIGKILL is restarted and healthy within interval x fall + start time`,
    passed: problem === undefined && restartedMs <= boundMs,
    expected: `a new process, healthy within ${probeIntervalMs} ms x ${fall} + ${START_ALLOWANCE_MS} ms start = ${seconds(boundMs)}`,
    actual: problem ?? `healthy again ${seconds(restartedMs)} after the kill`,
    numbers: { restartedMs: Math.round(restartedMs), boundMs },
  })

  const after = await waitForWatcherState(context, victim.name, ['up'], boundMs)
  const metricAfter = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  context.check({
    name: 'W1.2 the watcher counted exactly one restart',
    passed: metricAfter - metricBefore === 1 && after.restarts.total - restartsBefore === 1,
    expected: `watcher_restarts_total{target="${victim.name}"} +1, /status restarts +1`,
    actual: `metric +${metricAfter - metricBefore}, status +${after.restarts.total - restartsBefore}; last transition: ${after.lastTransition?.from} -> ${after.lastTransition?.to} (${after.lastTransition?.reason})`,
    numbers: { restartsDelta: metricAfter - metricBefore },
  })

  context.progress('waiting for nginx to send reads to both replicas again')
  const backMs = await waitLbServesBoth(context)
  const reads = await runLoad({
    name: `${W1.splitReads} reads after the restart`,
    url: lbUrl(context, '/read'),
    requests: W1.splitReads,
    describe: describeJsonResponse,
    retry: lbReadRetry(context),
  })
  context.record(reads)
  const share = ((reads.summary.labels[victim.serviceName] ?? 0) * 100) / W1.splitReads
  const split = judgeReadSplit(splitCounts(reads.summary), W1.splitReads, W1.splitToleranceReads)
  const resets = resetRetries(reads, W1.splitReloads)
  context.check({
    name: 'W1.3 the split returns to 3:1',
    passed: reads.summary.served === W1.splitReads && split.passed && resets.withinBound,
    expected: `${W1.splitReads}/${W1.splitReads} served, ${split.expected}; ${resets.bound}`,
    actual: `${reads.summary.served}/${W1.splitReads} served; ${splitText(reads.summary)}; ${resets.seen}; both replicas serving ${seconds(backMs)} after the restart`,
    numbers: {
      heavySharePercent: share,
      bothServingAfterMs: Math.round(backMs),
      resetsRetried: resets.retried,
      maxResetsRetried: resets.max,
    },
  })
}
