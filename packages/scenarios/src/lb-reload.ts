/**
 * L1.5 (issue 15): what a reload of nginx costs under load, since every membership change is
 * one. A reload starts new workers and lets the old ones finish their requests, so no request
 * in flight is lost; but an old worker closes its idle keep-alive client connections, and a
 * client that sends on one at that instant gets a connection reset before any byte of an
 * answer. HTTP clients retry an idempotent request in exactly that case (RFC 9112 9.3.1), so
 * the check is: zero failed reads with that one immediate retry, the resets counted and shown.
 * Natively only: the control API signals nginx itself (SIGHUP). In compose the reloads are the
 * follower's, and L1.1 counts their cost with the same retry (arrange.ts lbReadRetry, which
 * every scenario's reads through the load balancer use).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { LOAD_BALANCER_NAME, lbReadRetry, lbUrl } from './arrange.js'
import { failuresText, runNumbers, underLoad } from './measure.js'
import { resetRetries } from './reset-retries.js'
import type { ScenarioContext } from './types.js'

const RELOADS = {
  /** reloads signalled during the run */
  count: 20,
  /** milliseconds between two: each reload's old workers are still finishing when the next comes */
  intervalMs: 400,
  /** closed-model readers, each always busy: every idle moment of a connection races a reload */
  connections: 20,
  /** milliseconds the run may last at most */
  maxLoadMs: 30_000,
}

export async function reloadUnderLoad(context: ScenarioContext): Promise<void> {
  if (context.target.kind !== 'native') return
  const run = await underLoad(
    context,
    {
      name: `GET /read on ${RELOADS.connections} keep-alive connections through ${RELOADS.count} nginx reloads`,
      url: lbUrl(context, '/read'),
      connections: RELOADS.connections,
      durationMs: RELOADS.maxLoadMs,
      retry: lbReadRetry(context),
    },
    async (load) => {
      context.progress(
        `${RELOADS.count} nginx reloads (SIGHUP), one every ${RELOADS.intervalMs} ms, under reads`,
      )
      for (let i = 0; i < RELOADS.count; i++) {
        await sleep(RELOADS.intervalMs)
        load.mark(`reload ${i + 1}`)
        await context.target.kill(LOAD_BALANCER_NAME, 'SIGHUP')
      }
      await sleep(RELOADS.intervalMs)
    },
  )
  const failed = run.summary.requests - run.summary.served
  const resets = resetRetries(run, RELOADS.count)
  context.check({
    name: `L1.5 ${RELOADS.count} nginx reloads under load cost no read`,
    passed: failed === 0 && run.summary.requests > 0 && resets.withinBound,
    expected: `0 failed reads; a keep-alive connection an old worker closed as a read was sent on it is retried once at once, as HTTP clients do: ${resets.bound}`,
    actual: `${failed} of ${run.summary.requests} reads failed (${failuresText(run.summary)}); ${resets.seen}`,
    numbers: {
      ...runNumbers(run.summary),
      failed,
      resetsRetried: resets.retried,
      maxResetsRetried: resets.max,
      reloads: RELOADS.count,
    },
  })
}
