/** The control API end to end: NativeTarget (packages/control) -> HTTP -> Supervisor -> real child processes. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ControlError, NativeTarget } from '@production-lab/control'
import { ManagedProcess } from '../src/managed-process.js'
import { Supervisor } from '../src/supervisor.js'
import { controlApiFixture, serviceSpec, tempDir } from './fixtures.js'

const CONTROL_PORT = 17240
const dir = tempDir()
const supervisor = new Supervisor([
  { process: new ManagedProcess(serviceSpec('app_fast_1', 17231, {}, dir)), phase: 0 },
  { process: new ManagedProcess(serviceSpec('app_fast_2', 17232, { DRAIN_MS: '1500' }, dir)), phase: 0 },
])
const endpoints = {
  loadBalancer: 'http://127.0.0.1:1',
  services: { app_fast_1: 'http://127.0.0.1:17231', app_fast_2: 'http://127.0.0.1:17232' },
  prometheus: null,
  adminToken: 'test-token',
}
const target = controlApiFixture(supervisor, CONTROL_PORT, endpoints)

test('ps lists every service running and healthy; endpoints are served', async () => {
  const services = await target.ps()
  assert.deepEqual(
    services.map((s) => [s.name, s.state, s.health, s.restarts]),
    [
      ['app_fast_1', 'running', 'healthy', 0],
      ['app_fast_2', 'running', 'healthy', 0],
    ],
  )
  const { adminToken: _hidden, ...shown } = endpoints
  assert.deepEqual(await target.endpoints(), shown)
})

test('stop by alias waits until the process is gone; start brings it back', async () => {
  await target.stop('reader-1')
  const stopped = await target.inspect('app_fast_1')
  assert.equal(stopped.state, 'stopped')
  assert.equal(stopped.exitCode, 0)
  assert.equal(stopped.health, 'none')
  await target.start('app_fast_1')
  const started = await target.inspect('reader1')
  assert.equal(started.state, 'running')
  assert.equal(started.restarts, 1)
})

test('kill SIGTERM returns at once; the service drains (health draining) and exits on its own', async () => {
  const sent = performance.now()
  await target.kill('app_fast_2', 'SIGTERM')
  assert.ok(performance.now() - sent < 1000, 'kill does not wait')
  await sleep(300)
  const draining = (await target.ps()).find((s) => s.name === 'app_fast_2')
  assert.equal(draining?.health, 'draining')
  const deadline = Date.now() + 10_000
  while ((await target.inspect('app_fast_2')).state !== 'exited' && Date.now() < deadline) await sleep(100)
  const exited = await target.inspect('app_fast_2')
  assert.equal(exited.state, 'exited')
  assert.equal(exited.exitCode, 0)
  await target.restart('app_fast_2')
  assert.equal((await target.inspect('app_fast_2')).state, 'running')
})

test('logs: the tail, and followed lines as they are written', async () => {
  const lines = await target.logs('app_fast_1', { tail: 2 })
  assert.equal(lines.length, 2)
  assert.match(lines.at(-1) ?? '', /ready on 17231/)
  const abort = new AbortController()
  const followed: string[] = []
  const following = target.followLogs('app_fast_1', (line) => followed.push(line), abort.signal)
  await sleep(300)
  await target.restart('app_fast_1')
  const deadline = Date.now() + 10_000
  while (!followed.some((line) => /ready on 17231/.test(line)) && Date.now() < deadline) await sleep(100)
  abort.abort()
  await following
  assert.ok(followed.includes('Received signal 15. Starting graceful shutdown...'), followed.join('\n'))
  assert.ok(
    followed.some((line) => /ready on 17231/.test(line)),
    followed.join('\n'),
  )
})

test('an environment override is applied on restart, shown by inspect, and cleared', async () => {
  assert.deepEqual(await target.setEnv('app_fast_1', { EXIT_AT_START: '78' }), {
    overrides: ['EXIT_AT_START'],
  })
  await target.restart('app_fast_1')
  const deadline = Date.now() + 10_000
  while ((await target.inspect('app_fast_1')).state !== 'exited' && Date.now() < deadline) await sleep(100)
  const crashed = await target.inspect('app_fast_1')
  assert.equal(crashed.exitCode, 78)
  assert.equal(crashed.env.EXIT_AT_START, '78')
  await target.clearEnv('app_fast_1')
  await target.start('app_fast_1')
  const healthy = await target.inspect('app_fast_1')
  assert.equal(healthy.state, 'running')
  assert.equal(healthy.env.EXIT_AT_START, undefined)
})

test('errors: unknown service, unknown signal, bad env, unreachable API', async () => {
  await assert.rejects(
    target.stop('app_nope'),
    (error) => error instanceof ControlError && error.code === 'UNKNOWN_SERVICE',
  )
  await assert.rejects(
    target.kill('app_fast_2', 'SIGWHATEVER' as NodeJS.Signals),
    (error) =>
      error instanceof ControlError && error.code === 'REFUSED' && /unknown signal/.test(error.message),
  )
  await assert.rejects(
    target.setEnv('app_fast_1', { 'BAD NAME': 'x' }),
    /not a valid environment variable name/,
  )
  await assert.rejects(
    target.setEnv('app_fast_1', { NODE_OPTIONS: '--require /tmp/evil.js' }),
    /ENV_KEY_NOT_ALLOWED: NODE_OPTIONS is not a configuration key of app_fast_1/,
  )
  const nowhere = new NativeTarget('http://127.0.0.1:17249')
  await assert.rejects(
    nowhere.ps(),
    (error) =>
      error instanceof ControlError && error.code === 'UNREACHABLE' && /pnpm start/.test(error.message),
  )
  await nowhere.close()
})
