/**
 * W4: a reader that crashes on every start is restarted at most RESTART_BUDGET times, with
 * backoff waits that double, then given up on: watcher_target_given_up says so. Restore ends the crash loop
 * and starts it; the watcher then sees it up and gives its budget back.
 * The reader crashes at every start the same way on both targets: the scenario SIGKILLs it
 * whenever it runs again (a crash the process cannot avoid). A bad config would be the more
 * usual crash, but the native control API accepts only values the service's schema accepts
 * (docs/security.md), and a container's environment cannot change without recreating it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ControlError, type ControlTarget } from '@production-lab/control'
import { ensureStarted, waitHealthy } from './arrange.js'
import { parseLogLine } from './service-logs.js'
import type { ScenarioContext } from './types.js'
import {
  HEALTH_WATCHER_NAME,
  processOf,
  requireWatched,
  seconds,
  victimReader,
  waitForWatcherState,
  watcherMetric,
} from './watcher-support.js'

/** milliseconds between two looks at the victim while killing it at every start (docker) */
const KILL_ON_START_POLL_MS = 50

/** Makes a service crash at every start until `end()`. */
interface CrashLoop {
  /** what the progress line says */
  description: string
  end(): Promise<void>
}

async function startCrashLoop(
  context: ScenarioContext,
  target: ControlTarget,
  name: string,
): Promise<CrashLoop> {
  let ending = false
  const killer = (async () => {
    while (!ending) {
      const status = await target.processStatus(name)
      if (status.state === 'running')
        await target.kill(name, 'SIGKILL').catch((error: Error) => {
          // REFUSED: it exited between the look and the kill. Anything else is worth a line.
          if (!(error instanceof ControlError && error.code === 'REFUSED'))
            context.progress(`kill ${name}: ${error.message}`)
        })
      await sleep(KILL_ON_START_POLL_MS)
    }
  })()
  return {
    description: `${name} is SIGKILLed whenever it runs (every ${KILL_ON_START_POLL_MS} ms the scenario looks)`,
    async end() {
      ending = true
      await killer
    },
  }
}

/** W4: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function watcherCrashLoop(context: ScenarioContext): Promise<void> {
  const { target } = context
  const victim = victimReader()
  // The budget lives in the watcher's memory and earlier scenarios may have spent some of it:
  // a restarted watcher starts every target with its whole budget.
  context.progress(`restarting ${HEALTH_WATCHER_NAME} so ${victim.name} has its whole restart budget`)
  await target.restart(HEALTH_WATCHER_NAME)
  await waitHealthy(context, [HEALTH_WATCHER_NAME])
  await waitForWatcherState(context, victim.name, ['up'], 15_000)
  const status = await requireWatched(context, victim.name)
  const { restartBudget, backoffBaseMs, backoffMaxMs, probeIntervalMs } = status.settings
  const restartsBefore = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  const startedAtMs = Date.now()
  const crashLoop = await startCrashLoop(context, target, victim.name)
  try {
    context.progress(crashLoop.description)
    // Every restart but the first waits base x 2^(n-1): the whole loop ends well within this.
    let waitsMs = 0
    for (let n = 1; n < restartBudget; n++) waitsMs += Math.min(backoffMaxMs, backoffBaseMs * 2 ** (n - 1))
    const boundMs = waitsMs + (restartBudget + 2) * (probeIntervalMs + 2000)
    let problem: string | undefined
    try {
      await waitForWatcherState(context, victim.name, ['given_up'], boundMs)
    } catch (error) {
      problem = (error as Error).message
    }
    // Any further restart would be a bug: give it a few more intervals to show itself.
    await sleep(3 * probeIntervalMs)
    const restarts =
      (await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })) - restartsBefore
    const givenUp = await watcherMetric(context, 'watcher_target_given_up', { target: victim.name })
    const process = await processOf(context, victim.name)
    context.check({
      name: `W4.1 restarted exactly RESTART_BUDGET (${restartBudget}) times, then given up on`,
      passed:
        problem === undefined && restarts === restartBudget && givenUp === 1 && process.state === 'exited',
      expected: `${restartBudget} restarts, watcher_target_given_up{target="${victim.name}"} 1, the process left exited`,
      actual:
        problem ??
        `${restarts} restarts; watcher_target_given_up ${givenUp}; ${victim.name} ${process.state} (exit code ${process.exitCode})`,
      numbers: { restarts, givenUp },
    })

    const entries = (await target.logs(HEALTH_WATCHER_NAME, { tail: 500 }))
      .map(parseLogLine)
      .filter((entry) => entry !== undefined)
      .filter((entry) => entry.atMs >= startedAtMs)
    const restartTimes = entries
      .filter((entry) => entry.message.startsWith(`Restarted ${victim.name} `))
      .map((entry) => entry.atMs)
    // The backoff is the wait between the watcher's verdict (-> down) and the restart it then
    // begins (down -> restarting). Measured so, not as the gap between two restarts, which also
    // holds the crash and its detection: on a saturated machine those swamped the 1 s step.
    const transitions = entries
      .map((entry) => ({
        atMs: entry.atMs,
        to: new RegExp(`^Target ${victim.name}: \\S+ -> (\\S+) `).exec(entry.message)?.[1],
      }))
      .filter((entry) => entry.to !== undefined)
    const waits: number[] = []
    let downAt: number | undefined
    for (const { atMs, to } of transitions) {
      if (to === 'down') downAt = atMs
      else if (to === 'restarting' && downAt !== undefined) {
        waits.push(atMs - downAt)
        downAt = undefined
      }
    }
    // The first restart is immediate; then at least base, 2 x base, ... up to the maximum. Not
    // "strictly growing": the watcher decides once per probe round, so a 1 s and a 2 s backoff
    // may both begin 2 s after their verdicts.
    const schedule = waits.map((_, i) => (i === 0 ? 0 : Math.min(backoffMaxMs, backoffBaseMs * 2 ** (i - 1))))
    const respectsBackoff = waits.every((wait, i) => wait >= (schedule[i] as number) - 50)
    context.check({
      name: 'W4.2 each restart waits at least its exponential backoff after the verdict',
      passed: restartTimes.length === restartBudget && waits.length === restartBudget && respectsBackoff,
      expected: `${restartBudget} restarts, begun at least ${schedule.join(', ') || '0'} ms after their verdicts`,
      actual: `${restartTimes.length} restarts in the watcher's log; verdict-to-restart waits ${waits.map((w) => `${Math.round(w)} ms`).join(', ') || 'none'}`,
      numbers: Object.fromEntries(waits.map((wait, i) => [`wait${i + 1}Ms`, Math.round(wait)])),
    })
  } finally {
    await crashLoop.end()
  }

  context.progress(`crash loop ended; starting ${victim.name}`)
  const fixedAt = performance.now()
  await ensureStarted(context, victim.name)
  await waitHealthy(context, [victim.name])
  const back = await waitForWatcherState(context, victim.name, ['up'], 15_000)
  const givenUpAfter = await watcherMetric(context, 'watcher_target_given_up', { target: victim.name })
  context.check({
    name: 'W4.3 fixed and started by hand, it is up again with its budget back',
    passed: givenUpAfter === 0 && back.restarts.remaining === restartBudget,
    expected: `watcher state up, watcher_target_given_up 0, ${restartBudget} restarts available again`,
    actual: `watcher state ${back.state} ${seconds(performance.now() - fixedAt)} after the start; given_up ${givenUpAfter}; ${back.restarts.remaining} restarts available`,
  })
}
