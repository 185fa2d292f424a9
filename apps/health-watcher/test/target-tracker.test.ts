/**
 * The state machine with a fake clock: every time is a number the test chooses, nothing sleeps.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type ProcessInfo,
  type Sample,
  TargetTracker,
  type TrackerSettings,
  type Transition,
} from '../src/target-tracker.js'

const HEALTHY: Sample = { kind: 'healthy' }
const DRAINING: Sample = { kind: 'draining' }
const DEAD: Sample = { kind: 'dead', error: 'liveness timeout: no answer within 1000 ms', timedOut: true }
const REFUSED: Sample = { kind: 'dead', error: 'liveness error: ECONNREFUSED', timedOut: false }
const OVERLOADED: Sample = { kind: 'not_ready', reasons: ['overloaded'] }
const RUNNING: ProcessInfo = { state: 'running', exitCode: null, startedAt: null }
const CRASHED: ProcessInfo = { state: 'exited', exitCode: 137, startedAt: null }

const SETTINGS: TrackerSettings = {
  rise: 2,
  fall: 3,
  startPeriodMs: 10_000,
  drainGraceMs: 30_000,
  remediable: true,
  budget: { budget: 3, windowMs: 300_000, backoffBaseMs: 1000, backoffMaxMs: 30_000 },
}

/** A tracker, a fake clock advanced by `tick`, and the transitions it reported. */
function setup(settings: Partial<TrackerSettings> = {}) {
  const transitions: Transition[] = []
  const clock = { now: 0 }
  const tracker = new TargetTracker('app_fast_1', { ...SETTINGS, ...settings }, clock.now, (t) =>
    transitions.push(t),
  )
  const feed = (sample: Sample, process?: ProcessInfo, stepMs = 1000) => {
    clock.now += stepMs
    return tracker.observe(sample, process, clock.now)
  }
  const path = () => transitions.map((t) => t.to)
  return { tracker, clock, feed, transitions, path }
}

function bringUp(s: ReturnType<typeof setup>) {
  s.feed(HEALTHY)
  s.feed(HEALTHY)
  assert.equal(s.tracker.state, 'up')
}

describe('TargetTracker (fake clock)', () => {
  test('unknown -> up after `rise` healthy probes, not one', () => {
    const s = setup()
    s.feed(HEALTHY)
    assert.equal(s.tracker.state, 'unknown')
    s.feed(HEALTHY)
    assert.equal(s.tracker.state, 'up')
    assert.deepEqual(s.transitions[0], {
      target: 'app_fast_1',
      from: 'unknown',
      to: 'up',
      at: 2000,
      reason: 'live and ready 2 probe(s) in a row',
    })
  })

  test('a hung target (liveness failing, process running) is down and restarted after exactly `fall` failures', () => {
    const s = setup()
    bringUp(s)
    assert.equal(s.feed(DEAD, RUNNING), 'none')
    assert.equal(s.feed(DEAD, RUNNING), 'none')
    assert.equal(s.tracker.state, 'up')
    assert.equal(s.feed(DEAD, RUNNING), 'restart')
    assert.equal(s.tracker.state, 'down')
    assert.match(s.transitions.at(-1)?.reason ?? '', /liveness failed 3 times in a row \(liveness timeout/)
  })

  test('one good probe resets the failure streak', () => {
    const s = setup()
    bringUp(s)
    s.feed(DEAD, RUNNING)
    s.feed(DEAD, RUNNING)
    s.feed(HEALTHY)
    s.feed(DEAD, RUNNING)
    assert.equal(s.feed(DEAD, RUNNING), 'none')
    assert.equal(s.tracker.state, 'up')
  })

  test('a crashed process (exited, non-zero) is restarted on the first failed probe', () => {
    const s = setup()
    bringUp(s)
    assert.equal(s.feed(REFUSED, CRASHED), 'restart')
    assert.equal(s.transitions.at(-1)?.reason, 'process exited with code 137')
  })

  test('draining is never restarted: not while alive, not when it then exits 0', () => {
    const s = setup()
    bringUp(s)
    s.feed(DRAINING)
    assert.equal(s.tracker.state, 'draining')
    for (let i = 0; i < 5; i++) assert.equal(s.feed(DRAINING), 'none')
    // The drain ends: the server stops listening, the process exits 0.
    assert.equal(s.feed(DEAD, { state: 'running', exitCode: null, startedAt: null }), 'none')
    assert.equal(s.feed(REFUSED, { state: 'exited', exitCode: 0, startedAt: null }), 'none')
    assert.equal(s.tracker.state, 'stopped')
    for (let i = 0; i < 10; i++)
      assert.equal(s.feed(REFUSED, { state: 'exited', exitCode: 0, startedAt: null }), 'none')
    assert.deepEqual(s.path(), ['up', 'draining', 'stopped'])
  })

  test('a draining target that stops answering is left alone for the drain grace, then treated as hung', () => {
    const s = setup({ drainGraceMs: 30_000 })
    bringUp(s)
    s.feed(DRAINING)
    for (let i = 0; i < 29; i++) assert.equal(s.feed(DEAD, RUNNING), 'none')
    assert.equal(s.tracker.state, 'draining')
    assert.equal(s.feed(DEAD, RUNNING), 'restart')
    assert.equal(s.tracker.state, 'down')
  })

  test('a deliberate stop (control plane says stopped) is left alone; started again it is up with its whole budget', () => {
    const s = setup()
    bringUp(s)
    assert.equal(s.feed(REFUSED, CRASHED), 'restart')
    s.tracker.restartStarted(s.clock.now)
    s.tracker.restartFinished({ kind: 'ok' }, s.clock.now)
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 2)
    for (let i = 0; i < 10; i++)
      assert.equal(s.feed(REFUSED, { state: 'stopped', exitCode: 0, startedAt: null }), 'none')
    assert.equal(s.tracker.state, 'stopped')
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.deepEqual(s.path(), ['up', 'down', 'restarting', 'up', 'stopped', 'up'])
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 3)
  })

  test('stopped for a while, then started by hand: its slow start is not a hang (start period from the start time)', () => {
    const s = setup({ startPeriodMs: 10_000 })
    bringUp(s)
    // Nine failed probes while it was stopped on purpose.
    for (let i = 0; i < 9; i++) s.feed(REFUSED, { state: 'exited', exitCode: 0, startedAt: null })
    assert.equal(s.tracker.state, 'stopped')
    // Started at this instant; the control plane says running, but it does not listen yet.
    const startedAt = s.clock.now
    for (let i = 0; i < 4; i++)
      assert.equal(s.feed(REFUSED, { state: 'running', exitCode: null, startedAt }), 'none')
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.deepEqual(s.path(), ['up', 'stopped', 'up'])
  })

  test('started by hand and still not answering after the start period: hung, restarted', () => {
    const s = setup({ startPeriodMs: 3000 })
    bringUp(s)
    s.feed(REFUSED, { state: 'stopped', exitCode: 0, startedAt: null })
    const startedAt = s.clock.now
    // +1 s, +2 s: within the start period; +3 s, +4 s, +5 s: `fall` failures after it.
    for (let i = 0; i < 4; i++)
      assert.equal(s.feed(REFUSED, { state: 'running', exitCode: null, startedAt }), 'none')
    assert.equal(s.feed(REFUSED, { state: 'running', exitCode: null, startedAt }), 'restart')
  })

  test('stopped, started by hand and hung before it was seen up: the timeouts say it runs, so it is restarted', () => {
    const s = setup()
    bringUp(s)
    s.feed(REFUSED, { state: 'exited', exitCode: 0, startedAt: null })
    assert.equal(s.tracker.state, 'stopped')
    // A refused connection without word from the control plane: still stopped as far as anyone knows.
    for (let i = 0; i < 5; i++) assert.equal(s.feed(REFUSED, undefined), 'none')
    // Timeouts (no process info is asked for them): it was started and hangs.
    assert.equal(s.feed(DEAD, undefined), 'none')
    assert.equal(s.feed(DEAD, undefined), 'none')
    assert.equal(s.feed(DEAD, undefined), 'restart')
    assert.deepEqual(s.path(), ['up', 'stopped', 'down'])
  })

  test('alive but not ready is degraded, never restarted; leaving up takes `fall` probes', () => {
    const s = setup()
    bringUp(s)
    s.feed(OVERLOADED)
    s.feed(OVERLOADED)
    assert.equal(s.tracker.state, 'up')
    assert.equal(s.feed(OVERLOADED), 'none')
    assert.equal(s.tracker.state, 'degraded')
    assert.match(s.transitions.at(-1)?.reason ?? '', /alive but not ready \(overloaded\)/)
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.equal(s.tracker.state, 'up')
  })

  test('restart cycle: restarting ignores liveness failures for the start period, then up after rise', () => {
    const s = setup()
    bringUp(s)
    assert.equal(s.feed(REFUSED, CRASHED), 'restart')
    s.tracker.restartStarted(s.clock.now)
    s.clock.now += 500
    s.tracker.restartFinished({ kind: 'ok' }, s.clock.now)
    assert.equal(s.tracker.state, 'restarting')
    // Still starting (connection refused) but the process runs: not counted.
    for (let i = 0; i < 5; i++) assert.equal(s.feed(DEAD, RUNNING), 'none')
    assert.equal(s.tracker.state, 'restarting')
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.deepEqual(s.path(), ['up', 'down', 'restarting', 'up'])
    assert.equal(s.tracker.snapshot(s.clock.now).restarts.total, 1)
  })

  test('after the start period, liveness failures count again: `fall` fresh ones, not those of the boot', () => {
    const s = setup({ startPeriodMs: 3000 })
    bringUp(s)
    s.feed(REFUSED, CRASHED)
    s.tracker.restartStarted(s.clock.now)
    s.tracker.restartFinished({ kind: 'ok' }, s.clock.now)
    assert.equal(s.feed(DEAD, RUNNING), 'none') // +1 s: booting, not counted
    assert.equal(s.feed(DEAD, RUNNING), 'none') // +2 s: booting, not counted
    assert.equal(s.feed(DEAD, RUNNING), 'none') // +3 s: the start period is over: 1st failure
    assert.equal(s.feed(DEAD, RUNNING), 'none') // 2nd
    assert.equal(s.tracker.state, 'restarting')
    assert.equal(s.feed(DEAD, RUNNING), 'none') // 3rd: down; the backoff (1 s) counts from here
    assert.equal(s.tracker.state, 'down')
    assert.equal(s.feed(DEAD, RUNNING, 999), 'none')
    assert.equal(s.feed(DEAD, RUNNING, 1), 'restart')
  })

  test('started by hand, booting for longer than `fall` probes: its boot failures are not counted, the budget is untouched', () => {
    // The T1 report: `lab start app_fast_1` right after a stop; the reader refused connections
    // for several probes while it booted, and the first failure after the start period
    // restarted it ("stopped -> down ... restart 2 of 3").
    const s = setup({ startPeriodMs: 10_000 })
    bringUp(s)
    s.feed(REFUSED, { state: 'stopped', exitCode: 0, startedAt: null })
    const startedAt = s.clock.now
    // Being spawned, then running and not listening yet, for the whole start period.
    assert.equal(s.feed(REFUSED, { state: 'starting', exitCode: null, startedAt: null }, 0), 'none')
    for (let i = 0; i < 10; i++)
      assert.equal(s.feed(REFUSED, { state: 'running', exitCode: null, startedAt }), 'none')
    // One more failure after the period is one failure, not the boot's eleven plus one.
    assert.equal(s.feed(DEAD, { state: 'running', exitCode: null, startedAt }), 'none')
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.deepEqual(s.path(), ['up', 'stopped', 'up'])
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 3)
  })

  test('started by hand and answering too slowly while it boots (timeouts): not a hang within the start period', () => {
    const s = setup({ startPeriodMs: 10_000 })
    bringUp(s)
    s.feed(REFUSED, { state: 'stopped', exitCode: 0, startedAt: null })
    const startedAt = s.clock.now
    for (let i = 0; i < 9; i++)
      assert.equal(s.feed(DEAD, { state: 'running', exitCode: null, startedAt }), 'none')
    assert.equal(s.tracker.state, 'stopped')
    // Still hanging after the start period: `fall` failures later it is restarted.
    assert.equal(s.feed(DEAD, { state: 'running', exitCode: null, startedAt }), 'none')
    assert.equal(s.feed(DEAD, { state: 'running', exitCode: null, startedAt }), 'none')
    assert.equal(s.feed(DEAD, { state: 'running', exitCode: null, startedAt }), 'restart')
  })

  test('the first answer ends the start period: booted, then hung within it, it is restarted after `fall` failures', () => {
    const s = setup({ startPeriodMs: 10_000 })
    bringUp(s)
    s.feed(REFUSED, { state: 'stopped', exitCode: 0, startedAt: null })
    const startedAt = s.clock.now
    const sinceStart = { state: 'running', exitCode: null, startedAt } as const
    assert.equal(s.feed(REFUSED, sinceStart), 'none')
    s.feed(HEALTHY)
    assert.equal(s.feed(DEAD, sinceStart), 'none')
    assert.equal(s.feed(DEAD, sinceStart), 'none')
    assert.equal(s.feed(DEAD, sinceStart), 'restart')
    assert.ok(s.clock.now - startedAt < 10_000)
  })

  test('crash loop: restarts at once, then 1 s and 2 s after each new crash, then given up; budget back once healthy', () => {
    const s = setup()
    bringUp(s)
    const restartsAt: number[] = []
    // Every probe: the process has exited with 78 again (it crashes at start).
    for (let i = 0; i < 40; i++) {
      if (s.feed(REFUSED, { state: 'exited', exitCode: 78, startedAt: null }, 250) === 'restart') {
        restartsAt.push(s.clock.now)
        s.tracker.restartStarted(s.clock.now)
        s.tracker.restartFinished({ kind: 'ok' }, s.clock.now)
      }
    }
    assert.equal(restartsAt.length, 3)
    const gaps = restartsAt.slice(1).map((at, i) => at - (restartsAt[i] as number))
    // Each crash is seen 250 ms after the restart; the waits of 1 s and 2 s follow it.
    assert.deepEqual(gaps, [1250, 2250])
    assert.equal(s.tracker.state, 'given_up')
    assert.match(s.transitions.at(-1)?.reason ?? '', /restart budget spent \(3 restarts within 300 s\)/)
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 0)
    // Given up: nothing more, however long it stays dead.
    for (let i = 0; i < 20; i++)
      assert.equal(s.feed(REFUSED, { state: 'exited', exitCode: 78, startedAt: null }), 'none')
    // Fixed by hand: up again with the whole budget.
    s.feed(HEALTHY)
    s.feed(HEALTHY)
    assert.equal(s.tracker.state, 'up')
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 3)
  })

  test('a failed restart counts against the budget and goes back to down; a breaker rejection does not', () => {
    const s = setup()
    bringUp(s)
    s.feed(REFUSED, CRASHED)
    s.tracker.restartStarted(s.clock.now)
    s.tracker.restartFinished({ kind: 'failed', detail: 'control API unreachable' }, s.clock.now)
    assert.equal(s.tracker.state, 'down')
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 2)
    assert.match(s.transitions.at(-1)?.reason ?? '', /restart failed: control API unreachable/)
    assert.equal(s.feed(REFUSED, CRASHED, 1000), 'restart')
    s.tracker.restartStarted(s.clock.now)
    s.tracker.restartFinished({ kind: 'not_attempted', detail: 'circuit open' }, s.clock.now)
    assert.equal(s.tracker.budgetRemaining(s.clock.now), 2)
  })

  test('observe-only: down is reported but never a restart, and never given up', () => {
    const s = setup({ remediable: false })
    bringUp(s)
    for (let i = 0; i < 20; i++) assert.equal(s.feed(DEAD, undefined), 'none')
    assert.deepEqual(s.path(), ['up', 'down'])
  })

  test('a process being started by someone else is not restarted', () => {
    const s = setup()
    bringUp(s)
    for (let i = 0; i < 10; i++)
      assert.equal(s.feed(REFUSED, { state: 'starting', exitCode: null, startedAt: null }), 'none')
    assert.equal(s.tracker.state, 'up')
  })
})
