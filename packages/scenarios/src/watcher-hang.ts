/**
 * W3: a hung reader (its event loop blocked for 30 s by a fault: the process runs, accepts
 * connections, answers nothing) fails liveness `fall` times in a row and is restarted long
 * before the hang would have ended on its own.
 */
import { setFaults, waitHealthy } from './arrange.js'
import type { ScenarioContext } from './types.js'
import {
  processOf,
  requireWatched,
  seconds,
  victimReader,
  waitForWatcherState,
  waitNewProcess,
  watcherMetric,
} from './watcher-support.js'

/** milliseconds the reader's event loop is blocked: far beyond the watcher's detection time */
const HANG_MS = 30_000
/**
 * milliseconds: room for a busy machine in the detection bound (the scenario sees the verdict by
 * polling the watcher, whose probes also wait for CPU): 17.3 s was measured against 12 s + 1 s
 * on a 2-core machine running a compose stack beside several builds.
 */
const SCHEDULING_SLACK_MS = 6000

/** W3: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function watcherHang(context: ScenarioContext): Promise<void> {
  const victim = victimReader()
  const status = await requireWatched(context, victim.name)
  const { probeIntervalMs, probeTimeoutMs, fall } = status.settings
  const restartsBefore = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  const before = await processOf(context, victim.name)

  context.progress(`blocking the event loop of ${victim.name} for ${seconds(HANG_MS)}`)
  const hungAt = performance.now()
  await setFaults(context, victim.name, { blockEventLoopMs: HANG_MS })
  // Detection: `fall` rounds that each time out, plus one interval of phase, plus slack for a
  // loaded machine (the point is counting `fall` timeouts, not speed). The control-plane lookup
  // after each failed probe (processStatus) probes nothing, so the hang does not lengthen it.
  const detectBoundMs =
    fall * Math.max(probeIntervalMs, probeTimeoutMs) + probeIntervalMs + SCHEDULING_SLACK_MS
  let down: Awaited<ReturnType<typeof waitForWatcherState>> | undefined
  let detectedMs = Number.NaN
  let restartedMs = Number.NaN
  let problem: string | undefined
  try {
    down = await waitForWatcherState(context, victim.name, ['down', 'restarting'], HANG_MS)
    detectedMs = performance.now() - hungAt
    // SIGTERM is not handled (the loop is blocked): the stop waits the watcher's stop timeout, then SIGKILL.
    await waitNewProcess(context, victim.name, before.pid, HANG_MS)
    await waitHealthy(context, [victim.name], HANG_MS)
    restartedMs = performance.now() - hungAt
  } catch (error) {
    problem = (error as Error).message
  }
  context.check({
    name: `W3.1 the hung ${victim.name} is called down after ${fall} liveness timeouts`,
    passed: problem === undefined && detectedMs <= detectBoundMs,
    expected: `down within ${fall} x max(${probeIntervalMs} ms interval, ${probeTimeoutMs} ms timeout) + ${probeIntervalMs} ms + ${SCHEDULING_SLACK_MS} ms slack = ${seconds(detectBoundMs)}`,
    actual:
      problem ??
      `down ${seconds(detectedMs)} after the hang began (${down?.lastTransition?.from} -> ${down?.lastTransition?.to}: ${down?.lastTransition?.reason})`,
    numbers: { detectedMs: Math.round(detectedMs), detectBoundMs },
  })
  context.check({
    name: `W3.2 it is restarted and healthy before the ${seconds(HANG_MS)} hang would have ended`,
    passed: problem === undefined && restartedMs < HANG_MS,
    expected: `a new process, healthy less than ${seconds(HANG_MS)} after the hang began`,
    actual: problem ?? `healthy again ${seconds(restartedMs)} after the hang began`,
    numbers: { restartedMs: Math.round(restartedMs) },
  })
  const restartsAfter = await watcherMetric(context, 'watcher_restarts_total', { target: victim.name })
  context.check({
    name: 'W3.3 the watcher counted exactly one restart',
    passed: restartsAfter - restartsBefore === 1,
    expected: `watcher_restarts_total{target="${victim.name}"} +1`,
    actual: `+${restartsAfter - restartsBefore}`,
    numbers: { restartsDelta: restartsAfter - restartsBefore },
  })
}
