/**
 * L1 (issue 15): nginx follows the services' real state, so a replica that is ready gets the
 * reads. The chaos case of the issue, under steady reads through the load balancer: SIGKILL
 * one reader, let the health-watcher restart it, SIGKILL the other right after the first is
 * ready again: inside nginx's passive window of the first kill (fail_timeout=3s now, 10 s in
 * the issue, where the second kill came 8 s after the first). With passive checks alone the
 * restarted reader stayed ejected for that window and the second kill gave 502s; with membership
 * following (natively the supervisor's lb-membership.ts, in compose nginx_lb's
 * nginx-upstream-follower.sh) no read fails while one replica is ready.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { LoadRun } from '@production-lab/load'
import { READERS } from '@production-lab/stack'
import { lbReadRetry, lbUrl, waitHealthy } from './arrange.js'
import { reloadUnderLoad } from './lb-reload.js'
import { failuresText, runNumbers, splitText, underLoad } from './measure.js'
import { resetRetries } from './reset-retries.js'
import type { ScenarioContext } from './types.js'
import { processOf, requireWatched, START_ALLOWANCE_MS, seconds, waitNewProcess } from './watcher-support.js'

const L1 = {
  /** reads per second through the load balancer (open model: a stalled read does not slow the rest) */
  readRate: 100,
  /** sockets the open model may use at most */
  connections: 32,
  /** milliseconds of reads on both replicas before the first kill */
  settleMs: 1000,
  /**
   * milliseconds from the first reader's ready answer to the second kill: soon enough to fall
   * inside the passive window its kill opened (fail_timeout=3s; the watcher restarts in ~2 s)
   */
  secondKillAfterReadyMs: 500,
  /** milliseconds of reads served by the first (restarted) replica alone after the second kill */
  aloneMs: 3000,
  /** milliseconds the whole load may run at most (a stuck step ends it) */
  maxLoadMs: 60_000,
  /** nginx reloads during the load: each kill takes a reader out, each restart puts it back */
  reloads: 4,
}

/** L1: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function lbFollows(context: ScenarioContext): Promise<void> {
  const [first, second] = READERS as [(typeof READERS)[0], (typeof READERS)[0]]
  const status = await requireWatched(context, first.name)
  await requireWatched(context, second.name)
  const { probeIntervalMs, fall } = status.settings
  // The watcher's restart of a killed reader: one probe interval to see it, `fall` at worst, then a start.
  const restartBoundMs = probeIntervalMs * fall + START_ALLOWANCE_MS
  const moments = { firstKill: 0, secondKill: 0, end: 0 }
  let problem: string | undefined
  const run = await underLoad(context, readLoad(context), async (load) => {
    await sleep(L1.settleMs)
    const firstBefore = await processOf(context, first.name)
    context.progress(`SIGKILL ${first.name} (pid ${firstBefore.pid}) under ${L1.readRate} reads/s`)
    const firstKillAt = Date.now()
    moments.firstKill = firstKillAt
    load.mark(`SIGKILL ${first.name}`, firstKillAt)
    await context.target.kill(first.name, 'SIGKILL')
    try {
      await waitNewProcess(context, first.name, firstBefore.pid, restartBoundMs * 3)
      await waitHealthy(context, [first.name], restartBoundMs * 3)
      load.mark(`${first.name} healthy again`)
      context.progress(
        `${first.name} restarted by the watcher, healthy ${seconds(Date.now() - firstKillAt)} after the kill`,
      )
    } catch (error) {
      problem = `${first.name} was not restarted: ${(error as Error).message}`
      return
    }
    await sleep(L1.secondKillAfterReadyMs)
    context.progress(`SIGKILL ${second.name}, ${seconds(Date.now() - firstKillAt)} after the first kill`)
    moments.secondKill = Date.now()
    load.mark(`SIGKILL ${second.name}`, moments.secondKill)
    await context.target.kill(second.name, 'SIGKILL')
    await sleep(L1.aloneMs)
    moments.end = Date.now()
  })
  const failed = run.summary.requests - run.summary.served
  const resets = resetRetries(run, L1.reloads)
  context.check({
    name: `L1.1 no read fails: ${first.name} SIGKILLed and restarted, then ${second.name} SIGKILLed as soon as it is ready`,
    passed: problem === undefined && failed === 0 && moments.end > 0 && resets.withinBound,
    expected: `0 failed reads of ${L1.readRate}/s through the load balancer while at least one replica is ready; ${resets.bound}`,
    actual:
      problem ??
      `${failed} of ${run.summary.requests} reads failed (${failuresText(run.summary)}); ${resets.seen}; split ${splitText(run.summary)}`,
    numbers: {
      ...runNumbers(run.summary),
      failed,
      killToKillMs: moments.secondKill - moments.firstKill,
      resetsRetried: resets.retried,
      maxResetsRetried: resets.max,
    },
  })
  const alone = servedBetween(run, moments.secondKill, moments.end)
  context.check({
    name: `L1.2 after the second kill every read is served, by the restarted ${first.name} first`,
    passed: problem === undefined && alone.byFirst > 0 && alone.served === alone.requests,
    expected: `reads sent in the ${seconds(L1.aloneMs)} after the second kill all served, ${first.serviceName} among them (until the watcher restarts ${second.name})`,
    actual:
      problem ?? `${alone.served} of ${alone.requests} served (${alone.byFirst} by ${first.serviceName})`,
    numbers: alone,
  })
  // The watcher restarts the second reader; both serve again before the reloads are measured.
  await waitHealthy(context, [second.name])
  await reloadUnderLoad(context)

  function servedBetween(done: LoadRun, fromEpochMs: number, toEpochMs: number) {
    const from = fromEpochMs - done.startedAtEpochMs
    const to = toEpochMs - done.startedAtEpochMs
    const records = done.records.filter((record) => record.startMs >= from && record.startMs < to)
    return {
      requests: records.length,
      served: records.filter((record) => record.outcome === 'served').length,
      byFirst: records.filter((record) => record.label === first.serviceName).length,
    }
  }
}

/** Steady reads through the load balancer, at most L1.maxLoadMs. */
function readLoad(context: ScenarioContext) {
  return {
    name: `GET /read at ${L1.readRate}/s through two SIGKILLs`,
    url: lbUrl(context, '/read'),
    rate: L1.readRate,
    connections: L1.connections,
    durationMs: L1.maxLoadMs,
    retry: lbReadRetry(context),
  }
}
