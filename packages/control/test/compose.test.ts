/**
 * ComposeTarget against a real Docker-API-compatible socket (podman's), with real containers.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { COMPOSE_ADMIN_TOKEN_FILE } from '@production-lab/stack'
import {
  ComposeTarget,
  ControlError,
  connectCompose,
  LogDemuxer,
  type ServiceStatus,
  startWhenSettled,
  waitSettled,
} from '../src/index.js'
import { type PodmanSandbox, startPodman } from './support/podman.js'

// PID 1 in the container: says when it starts and when it gets SIGTERM, then exits 0 like a drained service.
// The trap comes before "started": a SIGTERM that reaches PID 1 before its trap is set is
// ignored (init semantics), and a busy CI machine stopped a just-restarted container in that gap.
const SCRIPT = "trap 'echo stopping; exit 0' TERM; echo started; while true; do sleep 0.1; done"
const OPTED = 'lab_test_opted'
const PLAIN = 'lab_test_plain'
// Like a lifecycle service: SIGTERM starts a drain that takes a while (3 s here) before the exit.
const SLOW_STOP_SCRIPT = "trap 'sleep 3; exit 0' TERM; echo started; while true; do sleep 0.1; done"
const SLOW_STOP = 'lab_test_slow_stop'

let sandbox: PodmanSandbox
let docker: ComposeTarget

async function waitFor(
  name: string,
  wanted: (status: ServiceStatus) => boolean,
  what: string,
): Promise<ServiceStatus> {
  const deadline = Date.now() + 15_000
  let last: ServiceStatus | undefined
  while (Date.now() < deadline) {
    last = (await docker.ps()).find((s) => s.name === name)
    if (last && wanted(last)) return last
    await sleep(100)
  }
  throw new Error(`${name} did not become ${what} within 15 s; last: ${JSON.stringify(last)}`)
}

/** Waits until `name` has said "started" more often than `before` times: its SIGTERM trap is set. */
async function waitStarted(name: string, before: number): Promise<number> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const count = (await docker.logs(name, { tail: 100 })).filter((line) => line === 'started').length
    if (count > before) return count
    if (Date.now() >= deadline)
      throw new Error(`${name} said "started" ${count} times within 15 s, wanted more than ${before}`)
    await sleep(100)
  }
}

/** Creates (does not start) a container running SCRIPT on the sandbox's root file system. */
const create = (name: string, ...extra: string[]) =>
  sandbox.podman(
    'create',
    '--name',
    name,
    '--network',
    'none',
    ...extra,
    '--rootfs',
    sandbox.rootfs,
    '/bin/sh',
    '-c',
    SCRIPT,
  )

describe('ComposeTarget over podman system service', { timeout: 120_000 }, () => {
  before(async () => {
    sandbox = await startPodman()
    await create(OPTED, '--label', 'lab.autoheal=true', '--env', 'GREETING=hello', '--memory', '64m')
    await create(PLAIN)
    await sandbox.podman(
      'create',
      '--name',
      SLOW_STOP,
      '--network',
      'none',
      '--rootfs',
      sandbox.rootfs,
      '/bin/sh',
      '-c',
      SLOW_STOP_SCRIPT,
    )
    docker = new ComposeTarget({
      socketPath: sandbox.socketPath,
      names: [OPTED, PLAIN, SLOW_STOP, 'absent_container'],
      defaultStopTimeoutS: 2,
    })
  })
  after(async () => {
    await docker?.close()
    await sandbox?.close()
  })

  test('ping answers and ps lists the named containers that exist, created = stopped', async () => {
    await docker.ping()
    const statuses = await docker.ps()
    assert.deepEqual(statuses.map((s) => s.name).sort(), [OPTED, SLOW_STOP, PLAIN].sort())
    for (const status of statuses) {
      assert.equal(status.state, 'stopped')
      assert.equal(status.pid, null)
      assert.equal(status.startedAt, null)
      assert.equal(status.exitCode, null)
    }
    // Never started: no cgroup to read, so declared limits are never reported as enforced.
    const created = await docker.inspect(OPTED)
    assert.equal(created.limits.enforced, false)
    assert.match(
      created.limits.mechanism,
      /^not read from a cgroup \(the container is not running\); declared no CPU, 67108864 bytes/,
    )
  })

  test('start runs the container; inspect shows env, command, labels and limits; logs show its output', async () => {
    await docker.start(OPTED)
    const running = await waitFor(OPTED, (s) => s.state === 'running', 'running')
    assert.ok(running.pid && running.pid > 0)
    assert.ok(running.startedAt && !Number.isNaN(Date.parse(running.startedAt)))
    const inspect = await docker.inspect(OPTED)
    assert.equal(inspect.env.GREETING, 'hello')
    assert.deepEqual(inspect.command.slice(-3), ['/bin/sh', '-c', SCRIPT])
    assert.equal(inspect.limits.memoryBytes, 64 * 1024 * 1024)
    // Read from the running container's cgroup (cgroup-limits.ts), not from its HostConfig.
    assert.match(
      inspect.limits.mechanism,
      /^cgroup v[12] \(.* of the running container; declared no CPU, 67108864 bytes \(HostConfig\)$/,
    )
    assert.equal(inspect.limits.enforced, true)
    assert.deepEqual(await docker.labels(OPTED), { 'lab.autoheal': 'true' })
    assert.deepEqual(await docker.labels(PLAIN), {})
    const deadline = Date.now() + 5000
    while (!(await docker.logs(OPTED, { tail: 10 })).includes('started') && Date.now() < deadline)
      await sleep(100)
    assert.deepEqual(await docker.logs(OPTED, { tail: 10 }), ['started'])
  })

  test('kill SIGTERM: the container handles it and exits 0 (exited, code 0); followLogs sees the line', async () => {
    const lines: string[] = []
    const abort = new AbortController()
    const following = docker.followLogs(OPTED, (line) => lines.push(line), abort.signal)
    await sleep(300)
    await docker.kill(OPTED, 'SIGTERM')
    const exited = await waitFor(OPTED, (s) => s.state === 'exited', 'exited')
    assert.equal(exited.exitCode, 0)
    const deadline = Date.now() + 5000
    while (!lines.includes('stopping') && Date.now() < deadline) await sleep(50)
    abort.abort()
    await following
    assert.ok(lines.includes('stopping'), `followed lines: ${JSON.stringify(lines)}`)
  })

  test('restart brings an exited container back; stop ends it; kill on a stopped one is refused', async () => {
    await docker.restart(OPTED, { timeoutS: 1 })
    const before = await waitFor(OPTED, (s) => s.state === 'running', 'running after restart')
    const startedBefore = await waitStarted(OPTED, 0)
    await docker.restart(OPTED, { timeoutS: 1 })
    const after = await waitFor(
      OPTED,
      (s) => s.state === 'running' && s.pid !== before.pid,
      'running with a new pid',
    )
    assert.notEqual(after.pid, before.pid)
    // Stopped only once its trap is set (see SCRIPT); the exit 0 is then the handler's.
    await waitStarted(OPTED, startedBefore)
    await docker.stop(OPTED, { timeoutS: 10 })
    const stopped = await waitFor(OPTED, (s) => s.state === 'exited', 'exited after stop')
    assert.equal(stopped.exitCode, 0)
    await docker.stop(OPTED) // already stopped: not an error
    await assert.rejects(docker.kill(OPTED, 'SIGKILL'), (error: ControlError) => {
      assert.equal(error.code, 'REFUSED')
      assert.match(error.message, new RegExp(OPTED))
      return true
    })
  })

  test('SIGKILL gives exit code 137, which is not a clean exit', async () => {
    await docker.start(PLAIN)
    await waitFor(PLAIN, (s) => s.state === 'running', 'running')
    await docker.kill(PLAIN, 'SIGKILL')
    const killed = await waitFor(PLAIN, (s) => s.state === 'exited', 'exited')
    assert.equal(killed.exitCode, 137)
    const process = await docker.processStatus(PLAIN)
    assert.deepEqual([process.state, process.pid, process.exitCode], ['exited', null, 137])
  })

  test('a start during a stop under way is refused; startWhenSettled waits the stop out, then starts', async () => {
    // What broke the compose scenarios' restore: a container still stopping (the watcher's
    // restart, a `docker stop`) cannot be started yet.
    await docker.start(SLOW_STOP)
    const before = await waitFor(SLOW_STOP, (s) => s.state === 'running', 'running')
    await waitStarted(SLOW_STOP, 0)
    // Its outcome is taken at once: a rejection that arrives before a handler is attached is an
    // unhandled rejection, which fails the test wherever it runs (run42 and CI: the stop's
    // "refusing to clean up" came while startWhenSettled was still polling).
    const stopping = docker.stop(SLOW_STOP, { timeoutS: 10 }).then(
      () => undefined,
      (error: unknown) => error,
    )
    const seen = await waitFor(SLOW_STOP, (s) => s.state === 'stopping', 'stopping')
    assert.equal(seen.controlState, 'stopping')
    await assert.rejects(docker.start(SLOW_STOP), (error: ControlError) => {
      assert.equal(error.code, 'REFUSED')
      assert.match(error.message, /state improper|is not running|409/)
      return true
    })
    // A wait too short for the stop says what it kept seeing.
    await assert.rejects(waitSettled(docker, SLOW_STOP, { timeoutMs: 300 }), (error: ControlError) => {
      assert.match(error.message, /lab_test_slow_stop did not settle within 0 s: still stopping/)
      return true
    })
    assert.equal(await startWhenSettled(docker, SLOW_STOP, { timeoutMs: 15_000 }), 'started')
    // The stop call itself may still have been cleaning up after the exit when the start went
    // through: podman then fails that stop ("is running or paused, refusing to clean up"), its
    // goal (the old process gone) reached all the same.
    const stopError = await stopping
    if (stopError !== undefined) {
      assert.ok(stopError instanceof ControlError, String(stopError))
      assert.equal(stopError.code, 'REFUSED')
      assert.match(stopError.message, /refusing to clean up/)
    }
    const after = await waitFor(SLOW_STOP, (s) => s.state === 'running', 'running again')
    assert.notEqual(after.pid, before.pid)
    assert.equal(await startWhenSettled(docker, SLOW_STOP, { timeoutMs: 15_000 }), 'was running')
    await docker.kill(SLOW_STOP, 'SIGKILL')
  })

  test('readFile returns one file out of a running container; a missing file is REFUSED naming it', async () => {
    // How the CLI reads the compose stack's generated admin token (a file in a volume).
    writeFileSync(join(sandbox.rootfs, 'etc', 'lab-token'), 'token-from-the-container\n')
    await docker.start(PLAIN)
    await waitFor(PLAIN, (s) => s.state === 'running', 'running')
    assert.equal((await docker.readFile(PLAIN, '/etc/lab-token')).toString(), 'token-from-the-container\n')
    await assert.rejects(docker.readFile(PLAIN, '/etc/absent'), (error: ControlError) => {
      assert.equal(error.code, 'REFUSED')
      assert.match(error.message, /no file \/etc\/absent in lab_test_plain/)
      return true
    })
    await assert.rejects(
      docker.readFile('absent_container', '/etc/lab-token'),
      (error) => error instanceof ControlError && error.code === 'UNKNOWN_SERVICE',
    )
    await docker.kill(PLAIN, 'SIGKILL')
  })

  test("connectCompose without ADMIN_TOKEN reads the stack's generated token out of the first app that shows it", async () => {
    // app_slow stopped (an archive of a stopped container may fail), app_fast_1 running.
    mkdirSync(join(sandbox.rootfs, dirname(COMPOSE_ADMIN_TOKEN_FILE)), { recursive: true })
    writeFileSync(join(sandbox.rootfs, COMPOSE_ADMIN_TOKEN_FILE), 'generated-token-0123456789abcdef')
    await create('app_slow')
    await create('app_fast_1')
    await sandbox.podman('start', 'app_fast_1')
    const { target, endpoints } = await connectCompose({ DOCKER_HOST: `unix://${sandbox.socketPath}` })
    try {
      assert.equal(endpoints.adminToken, 'generated-token-0123456789abcdef')
    } finally {
      await (target as ComposeTarget).close()
      await sandbox.podman('rm', '--force', '--time', '0', 'app_slow', 'app_fast_1')
    }
  })

  test('an unknown container is UNKNOWN_SERVICE naming it', async () => {
    await assert.rejects(docker.start('absent_container'), (error: ControlError) => {
      assert.equal(error.code, 'UNKNOWN_SERVICE')
      assert.match(error.message, /no container named absent_container/)
      return true
    })
    await assert.rejects(
      docker.processStatus('absent_container'),
      (error) => error instanceof ControlError && error.code === 'UNKNOWN_SERVICE',
    )
  })
})

describe('ComposeTarget without a socket', () => {
  test('a missing socket is UNREACHABLE and names the socket', async () => {
    const missing = new ComposeTarget({ socketPath: '/tmp/production-lab-no-such.sock' })
    try {
      await assert.rejects(missing.ping(), (error: ControlError) => {
        assert.ok(error instanceof ControlError)
        assert.equal(error.code, 'UNREACHABLE')
        assert.match(error.message, /unix:\/\/\/tmp\/production-lab-no-such\.sock is unreachable: ENOENT/)
        return true
      })
    } finally {
      await missing.close()
    }
  })
})

describe('LogDemuxer', () => {
  test('joins frames split across chunks and drops the 8-byte headers', () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text)
      const header = Buffer.alloc(8)
      header[0] = stream
      header.writeUInt32BE(payload.length, 4)
      return Buffer.concat([header, payload])
    }
    const bytes = Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')])
    const demuxer = new LogDemuxer()
    assert.equal(demuxer.push(bytes.subarray(0, 5)), '')
    assert.equal(demuxer.push(bytes.subarray(5, 20)), 'out line\n')
    assert.equal(demuxer.push(bytes.subarray(20)), 'err line\n')
  })
})
