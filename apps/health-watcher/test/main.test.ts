/**
 * The watcher as a real process (node dist/main.js): clear errors at startup, and a graceful
 * exit on SIGTERM that leaves no probe in flight.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { ProbeTarget } from './support/probe-target.js'

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))

interface Run {
  child: ChildProcess
  stdout: string[]
  stderr: string
  exited: Promise<number | null>
}

function runWatcher(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const run: Run = {
    child,
    stdout: [],
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  }
  let partial = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n')
    partial = lines.pop() ?? ''
    run.stdout.push(...lines.filter(Boolean))
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString()
  })
  return run
}

async function waitForLine(run: Run, pattern: RegExp, withinMs = 20_000): Promise<string> {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    const line = run.stdout.find((l) => pattern.test(l))
    if (line) return line
    await sleep(20)
  }
  throw new Error(
    `no log line matching ${pattern} within ${withinMs} ms; stdout:\n${run.stdout.join('\n')}\nstderr:\n${run.stderr}`,
  )
}

describe('health-watcher process: startup errors', () => {
  test('docker without WATCH_TARGETS, and bad values: exit 78 with one line per variable', async () => {
    const docker = runWatcher({ WATCHER_ADAPTER: 'docker' })
    assert.equal(await docker.exited, 78)
    assert.match(docker.stderr, /^config error: WATCH_TARGETS is required when WATCHER_ADAPTER=docker/m)

    const bad = runWatcher({
      WATCHER_ADAPTER: 'sidecar',
      FALL: '0',
      WATCH_TARGETS: '[{"name":"app_fast_1"}]',
    })
    assert.equal(await bad.exited, 78)
    assert.match(
      bad.stderr,
      /^config error: WATCHER_ADAPTER="sidecar" is invalid: expected one of native, docker, observe/m,
    )
    assert.match(bad.stderr, /^config error: FALL="0" is invalid: expected an integer >= 1/m)
  })

  test('an invalid WATCH_TARGETS names the variable and the entry', async () => {
    const run = runWatcher({
      WATCHER_ADAPTER: 'observe',
      WATCH_TARGETS: '[{"name":"app_fast_1","url":"ftp://x"}]',
    })
    assert.equal(await run.exited, 78)
    assert.match(
      run.stderr,
      /config error: WATCH_TARGETS=.* is invalid: entry 0 \(app_fast_1\): "url" must be an http\(s\) URL/,
    )
  })

  test('a missing Docker socket: exit 69 naming DOCKER_SOCKET', async () => {
    const run = runWatcher({
      WATCHER_ADAPTER: 'docker',
      DOCKER_SOCKET: '/tmp/production-lab-no-docker.sock',
      WATCH_TARGETS: '[{"name":"app_fast_1","url":"http://app_fast_1:8000"}]',
    })
    assert.equal(await run.exited, 69)
    assert.match(
      run.stderr,
      /^startup error: DOCKER_SOCKET=\/tmp\/production-lab-no-docker\.sock does not exist/m,
    )
  })

  test('an unreachable control API: exit 69 naming CONTROL_URL, after the startup check timeout', async () => {
    const started = Date.now()
    const run = runWatcher({
      WATCHER_ADAPTER: 'native',
      CONTROL_URL: 'http://127.0.0.1:17499',
      STARTUP_CHECK_TIMEOUT_MS: '600',
    })
    assert.equal(await run.exited, 69)
    assert.match(
      run.stderr,
      /^startup error: CONTROL_URL=http:\/\/127\.0\.0\.1:17499: the native stack's control API did not answer within 600 ms/m,
    )
    assert.ok(Date.now() - started >= 500)
  })
})

describe('health-watcher process: running and graceful exit', () => {
  const target = new ProbeTarget()
  after(() => target.close())

  test('observes a target, serves /status, and on SIGTERM exits 0 with no probe in flight', async () => {
    await target.open()
    const run = runWatcher({
      WATCHER_ADAPTER: 'observe',
      WATCH_TARGETS: JSON.stringify([{ name: 'app_fast_1', url: target.url }]),
      PROBE_INTERVAL_MS: '50',
      PROBE_TIMEOUT_MS: '30000',
    })
    try {
      const ready = await waitForLine(run, /HEALTH_WATCHER ready on/)
      const url = /ready on (http:\/\/\S+?)"/.exec(ready)?.[1]
      assert.ok(url, ready)
      await waitForLine(run, /Target app_fast_1: unknown -> up/)
      const status = (await (await request(`${url}/status`)).body.json()) as {
        adapter: string
        targets: Array<{ state: string }>
      }
      assert.equal(status.adapter, 'observe')
      assert.equal(status.targets[0]?.state, 'up')
      assert.match(run.stdout.join('\n'), /WATCHER_ADAPTER=observe: probing only, nothing will be restarted/)

      // A probe now hangs on the target (30 s timeout): SIGTERM must not wait for it.
      target.behaviour = 'hang'
      await sleep(200)
      assert.ok(target.openConnections > 0, 'a probe is in flight')
      const signalled = Date.now()
      run.child.kill('SIGTERM')
      // Exit 0 well before SHUTDOWN_TIMEOUT_S (15 s, which would exit 1): the hung probe was aborted.
      assert.equal(await run.exited, 0)
      assert.ok(Date.now() - signalled < 10_000, `exit took ${Date.now() - signalled} ms`)
      assert.match(run.stdout.join('\n'), /Received signal 15\. Starting graceful shutdown/)
      assert.match(run.stdout.at(-1) ?? '', /Graceful shutdown complete\. Exiting\./)
      const probes = target.probes
      await sleep(300)
      assert.equal(target.probes, probes)
      assert.equal(target.openConnections, 0)
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL')
    }
  })
})
