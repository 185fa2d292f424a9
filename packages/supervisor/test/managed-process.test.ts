/** ManagedProcess against real child processes and signals. */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ControlError } from '@production-lab/control'
import { tailLines } from '../src/log-file.js'
import { ManagedProcess, type ProcessEvent } from '../src/managed-process.js'
import { Supervisor } from '../src/supervisor.js'
import { serviceSpec } from './fixtures.js'

async function startedAndReady(process: ManagedProcess): Promise<void> {
  await process.start()
  await new Supervisor([{ process, phase: 0 }]).waitReady(process, 10)
}

test('stop: SIGTERM, the service drains and exits 0; state stopped, logs kept', async () => {
  const service = new ManagedProcess(serviceSpec('app_fast_1', 17221, { DRAIN_MS: '300' }))
  await startedAndReady(service)
  assert.equal(service.state, 'running')
  const pid = service.pid
  assert.ok(pid)
  const started = performance.now()
  await service.stop()
  assert.ok(performance.now() - started >= 250, 'stop waited for the drain')
  const status = service.status('none')
  assert.equal(status.state, 'stopped')
  assert.equal(status.exitCode, 0)
  assert.equal(status.pid, null)
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the process is gone')
  const lines = await tailLines(service.spec.logFile, 3)
  assert.deepEqual(lines.slice(-2), [
    'Received signal 15. Starting graceful shutdown...',
    'Graceful shutdown complete. Exiting.',
  ])
})

test('stop: a process that ignores SIGTERM is killed after the grace period (exit 137)', async () => {
  const service = new ManagedProcess(serviceSpec('app_fast_1', 17222, { IGNORE_SIGTERM: '1' }))
  await startedAndReady(service)
  const started = performance.now()
  await service.stop(0.5)
  const tookMs = performance.now() - started
  assert.ok(tookMs >= 450 && tookMs < 5000, `took ${Math.round(tookMs)} ms`)
  assert.equal(service.state, 'stopped')
  assert.equal(service.status('none').exitCode, 137)
})

test('kill: an exit the supervisor did not ask for is "exited", and it is not restarted', async () => {
  const events: ProcessEvent[] = []
  const service = new ManagedProcess(serviceSpec('app_fast_1', 17223), {
    onEvent: (event) => events.push(event),
  })
  await startedAndReady(service)
  service.kill('SIGKILL')
  await service.whenExited()
  assert.equal(service.state, 'exited')
  assert.equal(service.status('none').exitCode, 137)
  await sleep(300)
  assert.equal(service.state, 'exited', 'still exited: no automatic restart')
  assert.deepEqual(
    events.map((event) => event.kind),
    ['started', 'exited'],
  )
  assert.throws(
    () => service.kill('SIGTERM'),
    (error) => error instanceof ControlError && error.code === 'REFUSED',
  )
})

test('a process that exits at start is "exited" with its exit code; start counts restarts', async () => {
  const service = new ManagedProcess(serviceSpec('app_fast_1', 17224, { EXIT_AT_START: '78' }))
  await service.start()
  await service.whenExited()
  assert.equal(service.state, 'exited')
  assert.equal(service.status('none').exitCode, 78)
  assert.match((await tailLines(service.spec.logFile, 1))[0] ?? '', /config error: exiting with 78/)
  await service.start()
  await service.whenExited()
  assert.equal(service.status('none').restarts, 1)
})

test('environment overrides apply on every start until cleared', async () => {
  const service = new ManagedProcess(serviceSpec('app_fast_1', 17225))
  service.setEnvOverrides({ GREETING: 'hello' })
  await startedAndReady(service)
  assert.deepEqual(await (await fetch('http://127.0.0.1:17225/')).json(), { env: 'hello' })
  await service.restart()
  await new Supervisor([{ process: service, phase: 0 }]).waitReady(service, 10)
  assert.deepEqual(await (await fetch('http://127.0.0.1:17225/')).json(), { env: 'hello' })
  assert.equal(service.inspect('none').env.GREETING, 'hello')
  service.clearEnvOverrides()
  await service.restart()
  await new Supervisor([{ process: service, phase: 0 }]).waitReady(service, 10)
  assert.deepEqual(await (await fetch('http://127.0.0.1:17225/')).json(), { env: null })
  assert.equal(service.status('none').restarts, 2)
  const pid = service.pid
  await service.start()
  assert.equal(service.pid, pid, 'start on a running process is a no-op')
  await service.stop()
})

test('a port already in use is named in the error, and nothing is started', async () => {
  const blocker = createServer().listen(17226, '127.0.0.1')
  await once(blocker, 'listening')
  try {
    const service = new ManagedProcess(serviceSpec('app_slow', 17226))
    await assert.rejects(service.start(), /port 17226 \(app_slow\) is already in use/)
    assert.equal(service.state, 'stopped')
  } finally {
    blocker.close()
  }
})

test('a command that does not exist fails clearly', async () => {
  const service = new ManagedProcess({ ...serviceSpec('app_slow', 17227), command: '/nonexistent/node' })
  await assert.rejects(service.start(), /app_slow could not be started \(\/nonexistent\/node\).*ENOENT/)
  assert.equal(service.state, 'exited')
})

test('waitReady reports the last log lines of a service that exits before it is ready', async () => {
  const service = new ManagedProcess(serviceSpec('app_slow', 17228, { EXIT_AT_START: '3' }))
  await service.start()
  await assert.rejects(
    new Supervisor([{ process: service, phase: 0 }]).waitReady(service, 10),
    /app_slow exited with code 3 before it was ready[\s\S]*config error: exiting with 3 as asked/,
  )
})

test('overlapping starts (watcher and scenario at once) spawn one process', async () => {
  const events: ProcessEvent[] = []
  const service = new ManagedProcess(serviceSpec('app_fast_1', 17229), {
    onEvent: (event) => events.push(event),
  })
  await Promise.all([service.start(), service.start(), service.restart()])
  await new Supervisor([{ process: service, phase: 0 }]).waitReady(service, 10)
  await service.stop()
  assert.deepEqual(
    events.map((event) => event.kind),
    ['started', 'stopping', 'stopped', 'started', 'stopping', 'stopped'],
  )
})

test('SIGKILL takes the whole process group, as killing a container does: no worker is left behind', async () => {
  // An nginx-like service: a master that forks a worker and waits. SIGKILL to the master
  // alone would leave the worker running (orphaned, reparented to init).
  const spec = serviceSpec('nginx_lb', 17229)
  const service = new ManagedProcess({
    ...spec,
    command: 'sh',
    args: ['-c', 'sleep 300 & echo "worker $!"; wait'],
    url: null,
    ports: [],
  })
  await service.start()
  let workerPid: number | undefined
  const deadline = Date.now() + 10_000
  while (workerPid === undefined && Date.now() < deadline) {
    const line = (await tailLines(spec.logFile, 5).catch(() => [])).find((l) => l.startsWith('worker '))
    if (line) workerPid = Number(line.slice('worker '.length))
    else await sleep(50)
  }
  assert.ok(workerPid, 'the worker announced its pid')
  service.kill('SIGKILL')
  await service.whenExited()
  const goneBy = Date.now() + 5_000
  let alive = true
  while (alive && Date.now() < goneBy) {
    try {
      process.kill(workerPid, 0)
      await sleep(50)
    } catch {
      alive = false
    }
  }
  assert.equal(alive, false, `worker ${workerPid} still runs 5 s after its master was SIGKILLed`)
})
