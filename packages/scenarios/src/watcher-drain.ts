/**
 * W2: draining is not dead. A reader sent SIGTERM drains (readiness 503, liveness 200) and
 * exits 0; the health-watcher sees it draining, then stopped, and never restarts it: not
 * during the drain, and not after the clean exit (somebody asked it to stop).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { describeRunState, type ProcessStatus } from '@production-lab/control'
import { stackTimings } from '@production-lab/stack'
import type { ScenarioContext } from './types.js'
import { waitFor } from './wait.js'
import {
  processOf,
  requireWatched,
  seconds,
  targetOf,
  victimReader,
  watcherMetric,
  watcherStatus,
} from './watcher-support.js'

const W2 = {
  /** milliseconds the drain may take at most: the services' SHUTDOWN_TIMEOUT_S default */
  drainMaxMs: stackTimings.shutdownTimeoutS * 1000,
  /** milliseconds between two looks at the watcher's state during the drain */
  pollMs: 100,
}

/** W2: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function watcherDrain(context: ScenarioContext): Promise<void> {
  const victim = victimReader()
  const status = await requireWatched(context, victim.name)
  const { probeIntervalMs, fall } = status.settings
  const restartsBefore = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  const before = await processOf(context, victim.name)

  context.progress(`SIGTERM ${victim.name} (pid ${before.pid}); watching the watcher's view of it`)
  const seen: string[] = []
  const note = (state: string) => {
    if (seen.at(-1) !== state) seen.push(state)
  }
  const signalledAt = performance.now()
  await context.target.kill(victim.name, 'SIGTERM')
  // Look at the watcher and the process until the process is gone.
  let process: ProcessStatus | undefined
  const exited = await waitFor(
    `${victim.name} to exit after SIGTERM`,
    async () => {
      note(targetOf(await watcherStatus(context), victim.name).state)
      process = await processOf(context, victim.name)
      return process.state === 'exited' || process.state === 'stopped' ? process : undefined
    },
    {
      timeoutMs: W2.drainMaxMs,
      intervalMs: W2.pollMs,
      signal: context.signal,
      seen: () =>
        `${victim.name} ${process ? describeRunState(process) : 'not looked at'}; watcher states ${seen.join(' -> ')}`,
    },
  )
  const drainMs = performance.now() - signalledAt
  context.check({
    name: 'W2.1 the watcher sees the reader draining, not down',
    passed: seen.includes('draining') && !seen.includes('down') && !seen.includes('restarting'),
    expected: 'watcher state up -> draining while /health/ready is 503 and /health/live is 200',
    actual: `watcher states during the drain: ${seen.join(' -> ')}; the process exited with code ${exited.exitCode} after ${seconds(drainMs)}`,
    numbers: { drainMs: Math.round(drainMs), exitCode: exited.exitCode ?? -1 },
  })

  // Hold on for twice the time a crash would take to be restarted, then look again.
  const holdMs = 2 * probeIntervalMs * fall + 2000
  context.progress(`holding ${seconds(holdMs)}: a restart now would be wrong`)
  const holdUntil = performance.now() + holdMs
  while (performance.now() < holdUntil) {
    note(targetOf(await watcherStatus(context), victim.name).state)
    await sleep(W2.pollMs * 5)
  }
  const afterHold = await processOf(context, victim.name)
  const restartsAfter = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  const finalState = targetOf(await watcherStatus(context), victim.name).state
  context.check({
    name: 'W2.2 no restart during the drain nor after the clean exit',
    passed: restartsAfter === restartsBefore && afterHold.state !== 'running' && finalState === 'stopped',
    expected: `watcher_restarts_total unchanged; ${victim.name} still not running ${seconds(holdMs)} after its exit; watcher state stopped`,
    actual: `restarts +${restartsAfter - restartsBefore}; ${victim.name} ${afterHold.state}; watcher states ${seen.join(' -> ')}`,
    numbers: { restartsDelta: restartsAfter - restartsBefore, holdMs },
  })
}
