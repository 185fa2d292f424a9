/**
 * The watcher service in-process against real HTTP targets (see support/probe-target.ts):
 * the probe loop, restarts through a remediator, /status, /metrics, the transition log lines,
 * and that closing it leaves no probe in flight. Short intervals keep it fast; the restarts
 * act on the real target (it listens again), so what the watcher sees next is real.
 */
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { afterEach, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { metricValue } from '@production-lab/stack'
import { buildApp, loadWatcherConfig, type Remediator, type WatcherService } from '../src/app.js'
import type { ProcessInfo } from '../src/target-tracker.js'
import { ProbeTarget } from './support/probe-target.js'

/** A remediator whose restart makes the real target listen again (or not, for a crash loop). */
class TargetRemediator implements Remediator {
  readonly kind = 'native' as const
  restarts: number[] = []
  process: ProcessInfo = { state: 'running', exitCode: null, startedAt: null }
  restartBrings: 'healthy' | 'nothing' = 'healthy'
  constructor(readonly target: ProbeTarget) {}
  remediable = () => true
  processInfo = async () => this.process
  async restart(): Promise<void> {
    this.restarts.push(Date.now())
    await this.target.close()
    if (this.restartBrings === 'nothing') return
    this.target.behaviour = 'healthy'
    this.process = { state: 'running', exitCode: null, startedAt: null }
    await this.target.open()
  }
  close = async () => {}
}

const running: Array<{ service: WatcherService; target: ProbeTarget }> = []

/** `arrange` sets up the target and what the control plane says before the first probe. */
async function startWatcher(
  env: Record<string, string> = {},
  arrange: (target: ProbeTarget, remediator: TargetRemediator) => void = () => {},
) {
  const target = new ProbeTarget()
  await target.open()
  const remediator = new TargetRemediator(target)
  arrange(target, remediator)
  const config = loadWatcherConfig({
    PORT: '0',
    LOG_LEVEL: 'info',
    WATCH_TARGETS: JSON.stringify([{ name: 'app_fast_1', url: target.url }]),
    PROBE_INTERVAL_MS: '50',
    PROBE_TIMEOUT_MS: '300',
    // Test-scale (300 ms probes): the 600 ms freezes below exceed it, a loaded machine's timer
    // jitter over one probe does not.
    PROBE_STALL_TOLERANCE_MS: '150',
    RISE: '2',
    FALL: '3',
    BACKOFF_BASE_MS: '200',
    START_PERIOD_MS: '1000',
    ...env,
  })
  const lines: Array<Record<string, unknown>> = []
  const logs = new PassThrough()
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line))
  })
  const service = await buildApp(config, { remediator, logDestination: logs, exit: () => {} })
  await service.app.ready()
  running.push({ service, target })
  const status = async () => (await service.app.inject('/status')).json().targets[0]
  const metrics = async () => (await service.app.inject('/metrics')).body
  const waitForState = async (state: string, withinMs = 10_000) => {
    const deadline = Date.now() + withinMs
    while (Date.now() < deadline) {
      if ((await status()).state === state) return
      await sleep(20)
    }
    assert.fail(
      `target did not reach ${state} within ${withinMs} ms; status: ${JSON.stringify(await status())}`,
    )
  }
  return { service, target, remediator, lines, status, metrics, waitForState }
}

afterEach(async () => {
  for (const { service, target } of running.splice(0)) {
    await service.app.close()
    await target.close()
  }
})

describe('the watcher service against real HTTP targets', { timeout: 60_000 }, () => {
  test('a hung target is restarted after `fall` timeouts and comes back up; status, metrics and logs say so', async () => {
    const w = await startWatcher()
    await w.waitForState('up')
    w.target.behaviour = 'hang'
    await w.waitForState('restarting')
    await w.waitForState('up')
    assert.equal(w.remediator.restarts.length, 1)
    const status = await w.status()
    assert.equal(status.restarts.total, 1)
    assert.equal(status.lastProbe.sample, 'healthy')
    assert.equal(status.lastTransition.to, 'up')
    const transitions = w.lines
      .filter((l) => l.target === 'app_fast_1' && l.to)
      .map((l) => `${l.from}->${l.to}`)
    assert.deepEqual(transitions, ['unknown->up', 'up->down', 'down->restarting', 'restarting->up'])
    const down = w.lines.find((l) => l.to === 'down')
    assert.equal(down?.level, 'WARN')
    assert.match(
      String(down?.message),
      /^Target app_fast_1: up -> down \(liveness failed 3 times in a row \(liveness timeout: no answer within 300 ms\)\)$/,
    )
    const metrics = await w.metrics()
    assert.equal(metricValue(metrics, 'watcher_restarts_total', { target: 'app_fast_1' }), 1)
    assert.equal(metricValue(metrics, 'watcher_target_up', { target: 'app_fast_1' }), 1)
    assert.equal(metricValue(metrics, 'watcher_target_state', { target: 'app_fast_1', state: 'up' }), 1)
    assert.equal(metricValue(metrics, 'watcher_target_state', { target: 'app_fast_1', state: 'down' }), 0)
    const timeouts = metricValue(metrics, 'watcher_probe_duration_seconds_count', {
      target: 'app_fast_1',
      probe: 'live',
      result: 'timeout',
    })
    assert.ok(timeouts !== undefined && timeouts >= 3, `live probe timeouts: ${timeouts}`)
    assert.equal(
      metricValue(metrics, 'circuit_breaker_state', { breaker: 'remediation', state: 'closed' }),
      1,
    )
    assert.equal(metricValue(metrics, 'watcher_target_given_up', { target: 'app_fast_1' }), 0)
  })

  test('timeouts while the watcher itself is stalled are not counted: a healthy target is never restarted for them', async () => {
    // The run that motivated it: on a saturated machine the watcher (a quarter core) froze, every
    // probe timed out at once, and it restarted healthy services mid-scenario.
    const w = await startWatcher()
    await w.waitForState('up')
    // Freeze this process (the watcher and the target alike) past the 300 ms probe timeout, in
    // the middle of 5 probes in a row: each of them times out, though the target never hung.
    w.target.freezeMs = 600
    w.target.freezes = 5
    const deadline = Date.now() + 10_000
    while (w.target.freezes > 0 && Date.now() < deadline) await sleep(20)
    await sleep(200)
    const notCounted = w.lines.filter((l) =>
      /timed out while the watcher itself was stalled/.test(String(l.message)),
    )
    assert.ok(notCounted.length >= 3, `not-counted probes: ${notCounted.length}`)
    assert.deepEqual(w.remediator.restarts, [])
    assert.equal((await w.status()).state, 'up')
  })

  test('a hung target is restarted although the watcher runs in short bursts (many small stalls, none long)', async () => {
    // On a saturated machine the loop still runs every few tens of ms: an answer would have been
    // read. Summed, those delays exceeded the tolerance and a hung reader was never restarted (W3).
    const w = await startWatcher()
    await w.waitForState('up')
    w.target.behaviour = 'hang'
    const busy = setInterval(() => {
      const until = performance.now() + 30
      while (performance.now() < until) {}
    }, 5)
    try {
      await w.waitForState('restarting')
    } finally {
      clearInterval(busy)
    }
    assert.ok(w.remediator.restarts.length >= 1)
    assert.ok(
      !w.lines.some((l) => /timed out while the watcher itself was stalled/.test(String(l.message))),
      'no probe was discounted: no single stall reached the tolerance',
    )
  })

  test('a target started a moment ago that answers too slowly (timeouts) is not restarted within START_PERIOD_MS', async () => {
    // Timeouts used to skip the control plane, so the watcher never learnt of the start.
    let startedAt = 0
    const w = await startWatcher({ START_PERIOD_MS: '1500' }, (target, remediator) => {
      target.behaviour = 'hang'
      startedAt = Date.now()
      remediator.process = { state: 'running', exitCode: null, startedAt }
    })
    await w.waitForState('restarting')
    const firstRestart = w.remediator.restarts[0] as number
    // `fall` (3) timeouts of 300 ms fit in 1 s; they only count once the start period is over.
    assert.ok(
      firstRestart - startedAt >= 1500,
      `restarted ${firstRestart - startedAt} ms after the start, within START_PERIOD_MS (1500 ms)`,
    )
    await w.waitForState('up')
  })

  test('a draining target is never restarted; once it exits 0 it is stopped and left alone', async () => {
    const w = await startWatcher()
    await w.waitForState('up')
    w.target.behaviour = 'draining'
    await w.waitForState('draining')
    await sleep(500) // ten probe intervals of draining
    await w.target.close()
    w.remediator.process = { state: 'exited', exitCode: 0, startedAt: null }
    await w.waitForState('stopped')
    await sleep(500)
    assert.equal((await w.status()).state, 'stopped')
    assert.deepEqual(w.remediator.restarts, [])
    assert.equal(metricValue(await w.metrics(), 'watcher_restarts_total', { target: 'app_fast_1' }), 0)
  })

  test('a target that crashes on every start is restarted RESTART_BUDGET times with growing gaps, then given up', async () => {
    const w = await startWatcher({ RESTART_BUDGET: '3', BACKOFF_BASE_MS: '500' })
    await w.waitForState('up')
    w.remediator.restartBrings = 'nothing'
    w.remediator.process = { state: 'exited', exitCode: 78, startedAt: null }
    await w.target.close()
    await w.waitForState('given_up', 15_000)
    await sleep(600)
    const at = w.remediator.restarts
    assert.equal(at.length, 3)
    const gaps = [(at[1] as number) - (at[0] as number), (at[2] as number) - (at[1] as number)]
    // The waits are base, then 2 x base; probe timing adds a little to each (a shared machine adds more).
    assert.ok((gaps[0] as number) >= 500 && (gaps[1] as number) >= 1000, `gaps ${gaps.join(', ')} ms`)
    const metrics = await w.metrics()
    assert.equal(metricValue(metrics, 'watcher_target_given_up', { target: 'app_fast_1' }), 1)
    assert.equal(metricValue(metrics, 'watcher_restarts_total', { target: 'app_fast_1' }), 3)
    assert.equal(metricValue(metrics, 'watcher_restart_budget_remaining', { target: 'app_fast_1' }), 0)
    const givenUp = w.lines.find((l) => l.to === 'given_up')
    assert.equal(givenUp?.level, 'ERROR')
    // Fixed by hand: up again, budget back.
    w.target.behaviour = 'healthy'
    await w.target.open()
    w.remediator.process = { state: 'running', exitCode: null, startedAt: null }
    await w.waitForState('up')
    assert.equal(metricValue(await w.metrics(), 'watcher_target_given_up', { target: 'app_fast_1' }), 0)
  })

  test('a failing remediation counts as a failure and the target stays down until a restart works', async () => {
    const w = await startWatcher({ RESTART_BUDGET: '5', BACKOFF_BASE_MS: '100' })
    await w.waitForState('up')
    const realRestart = w.remediator.restart.bind(w.remediator)
    let failures = 1
    w.remediator.restart = async () => {
      if (failures-- > 0) throw new Error('control API answered 500')
      await realRestart()
    }
    w.remediator.process = { state: 'exited', exitCode: 137, startedAt: null }
    await w.target.close()
    const deadline = Date.now() + 10_000
    while (w.remediator.restarts.length === 0 && Date.now() < deadline) await sleep(20)
    await w.waitForState('up')
    assert.equal(
      metricValue(await w.metrics(), 'watcher_remediation_failures_total', {
        target: 'app_fast_1',
        reason: 'error',
      }),
      1,
    )
    assert.ok(
      w.lines.some((l) =>
        /Restart of app_fast_1 failed: remediation failed: control API answered 500/.test(String(l.message)),
      ),
    )
  })

  test('closing the watcher aborts a probe in flight at once and probes nothing afterwards', async () => {
    const w = await startWatcher({ PROBE_TIMEOUT_MS: '20000' })
    await w.waitForState('up')
    w.target.behaviour = 'hang'
    await sleep(200) // a probe is now waiting on the hung target
    assert.ok(w.target.openConnections > 0)
    const started = performance.now()
    await w.service.app.close()
    running.length = 0
    const closeMs = performance.now() - started
    assert.ok(closeMs < 2000, `close took ${closeMs} ms; the hung probe was not aborted`)
    const probes = w.target.probes
    await sleep(300)
    assert.equal(w.target.probes, probes, 'probes after close')
    assert.equal(w.target.openConnections, 0)
    await w.target.close()
  })
})
