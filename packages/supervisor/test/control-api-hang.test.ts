/**
 * The control API's process lookup asks no service anything: with one real service hung
 * (it accepts connections and answers nothing), `ps` waits for that service's health probe to
 * time out, while processStatus answers at once for the hung service and for its healthy
 * neighbour. The health-watcher looks up the process after every failed probe, so a hang must
 * not slow that lookup down.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ControlError } from '@production-lab/control'
import { stackDefaults } from '../src/defaults.js'
import { ManagedProcess } from '../src/managed-process.js'
import { Supervisor } from '../src/supervisor.js'
import { controlApiFixture, serviceSpec, tempDir } from './fixtures.js'

const CONTROL_PORT = 17241
const HEALTHY_PORT = 17233
const HUNG_PORT = 17234
/** milliseconds the service hangs: several of the supervisor's health probe timeouts */
const HANG_MS = 3 * stackDefaults.probeTimeoutMs
/** milliseconds a lookup may take on a busy shared machine; a probe timeout waited on is twice this */
const LOOKUP_LIMIT_MS = stackDefaults.probeTimeoutMs / 2

const dir = tempDir()
const supervisor = new Supervisor([
  { process: new ManagedProcess(serviceSpec('app_fast_1', HEALTHY_PORT, {}, dir)), phase: 0 },
  { process: new ManagedProcess(serviceSpec('app_fast_2', HUNG_PORT, {}, dir)), phase: 0 },
])
const target = controlApiFixture(supervisor, CONTROL_PORT, {
  loadBalancer: 'http://127.0.0.1:1',
  services: {},
  prometheus: null,
  adminToken: '',
})

test('a hung service holds ps up to its probe timeout, but no process lookup', async () => {
  const blocked = await fetch(`http://127.0.0.1:${HUNG_PORT}/block?ms=${HANG_MS}`, { method: 'POST' })
  assert.equal(blocked.status, 200)
  const started = performance.now()
  const settled = <T>(promise: Promise<T>) =>
    promise.then((value) => ({ value, ms: Math.round(performance.now() - started) }))
  const [ps, hung, healthy] = await Promise.all([
    settled(target.ps()),
    settled(target.processStatus('reader-2')),
    settled(target.processStatus('app_fast_1')),
  ])

  // ps really waited on the hung service, so the lookups below had something to not wait for.
  const { health, ...hungFromPs } =
    ps.value.find((s) => s.name === 'app_fast_2') ?? assert.fail('no app_fast_2')
  assert.equal(health, 'unhealthy')
  assert.ok(ps.ms >= stackDefaults.probeTimeoutMs * 0.9, `ps took ${ps.ms} ms`)
  for (const lookup of [hung, healthy]) {
    assert.ok(
      lookup.ms < LOOKUP_LIMIT_MS,
      `${lookup.value.name}'s lookup took ${lookup.ms} ms (ps: ${ps.ms} ms)`,
    )
  }
  assert.deepEqual(hung.value, hungFromPs)
  assert.equal(hung.value.state, 'running')
  assert.ok(hung.value.pid && hung.value.pid > 0)
})

test('the lookup follows a stop and a start; an unknown name is UNKNOWN_SERVICE', async () => {
  await target.stop('app_fast_1')
  const stopped = await target.processStatus('app_fast_1')
  assert.deepEqual([stopped.state, stopped.pid, stopped.exitCode], ['stopped', null, 0])
  await target.start('app_fast_1')
  const started = await target.processStatus('app_fast_1')
  assert.deepEqual([started.state, started.restarts, started.exitCode], ['running', 1, null])
  await assert.rejects(
    target.processStatus('app_nope'),
    (error) =>
      error instanceof ControlError && error.code === 'UNKNOWN_SERVICE' && /app_nope/.test(error.message),
  )
})
