/**
 * `lab up` and the verbs end to end: the real apps (apps/{writer,reader}/dist), real nginx,
 * real signals, on LAB_PORT_OFFSET=200 with a scratch state dir. Needs the apps built (the
 * root `pnpm test` builds everything first) and nginx installed (scripts/system-deps.sh).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { ServiceInspect, ServiceStatus } from '@production-lab/control'

/** 200 in the test command; LAB_CLI_TEST_PORT_OFFSET moves it (a second run on the machine) */
const OFFSET = Number(process.env.LAB_CLI_TEST_PORT_OFFSET ?? 200)
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const LB = `http://127.0.0.1:${8080 + OFFSET}`
const env = {
  ...process.env,
  LAB_PORT_OFFSET: String(OFFSET),
  LAB_STATE_DIR: mkdtempSync(join(tmpdir(), 'lab-cli-test-')),
}
const stateFile = join(env.LAB_STATE_DIR, `stack-${OFFSET}`, 'stack.json')

function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

async function ps(): Promise<ServiceStatus[]> {
  const { code, stdout, stderr } = await lab('ps', '--json')
  assert.equal(code, 0, stderr)
  return JSON.parse(stdout) as ServiceStatus[]
}

async function waitHealthy(name: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if ((await ps()).find((s) => s.name === name)?.health === 'healthy') return
    await sleep(300)
  }
  assert.fail(`${name} did not become healthy within 30 s`)
}

let stack: ChildProcess
let output = ''

before(async () => {
  stack = spawn(process.execPath, [CLI, 'up', '--no-prometheus'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  stack.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  stack.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const deadline = Date.now() + 120_000
  while (!output.includes('Ctrl-C stops the stack')) {
    if (stack.exitCode !== null) assert.fail(`lab up exited with ${stack.exitCode}:\n${output}`)
    if (Date.now() > deadline) assert.fail(`lab up not ready within 120 s:\n${output}`)
    await sleep(200)
  }
})

after(async () => {
  if (stack.exitCode === null && stack.signalCode === null) {
    stack.kill('SIGKILL')
    await once(stack, 'exit')
  }
})

test('up prints what runs where, with the limits and whether they are enforced', () => {
  for (const name of ['app_slow', 'app_fast_1', 'app_fast_2', 'nginx_lb'])
    assert.match(output, new RegExp(`^${name} +\\d+ +http://127\\.0\\.0\\.1:\\d+`, 'm'))
  assert.match(output, /limits 0\.5 CPU, 512 MiB: (enforced, cgroup v[12]|not enforced: )/)
  assert.match(output, new RegExp(`Load balancer +${LB}`))
  assert.match(output, /note: prometheus, nginx_exporter.*--no-prometheus/)
})

test('ps shows every service up and healthy', async () => {
  const { stdout } = await lab('ps')
  for (const name of ['app_slow', 'app_fast_1', 'app_fast_2', 'nginx_lb'])
    assert.match(stdout, new RegExp(`^${name} +Up \\(healthy\\)`, 'm'))
})

test('lab stop app_fast_1: reads keep succeeding from FAST_REPLICA_2; lab start brings it back', async () => {
  const stopped = await lab('stop', 'app_fast_1')
  assert.equal(stopped.code, 0, stopped.stderr)
  assert.equal(stopped.stdout, 'app_fast_1\n')
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`${LB}/read`)
    assert.equal(response.status, 200)
    assert.equal(((await response.json()) as { service: string }).service, 'FAST_REPLICA_2')
  }
  assert.equal((await ps()).find((s) => s.name === 'app_fast_1')?.state, 'stopped')
  assert.equal((await lab('start', 'reader-1')).code, 0)
  await waitHealthy('app_fast_1')
})

test('inspect shows the writer limits, and the limit env only when enforced', async () => {
  const { code, stdout } = await lab('inspect', 'app_slow')
  assert.equal(code, 0)
  const [writer] = JSON.parse(stdout) as ServiceInspect[]
  assert.equal(writer?.limits.cpus, 0.5)
  assert.equal(writer?.limits.memoryBytes, 536870912)
  assert.equal(writer?.env.CPU_LIMIT_CORES, writer?.limits.enforced ? '0.5' : undefined)
  assert.match(writer?.command.join(' ') ?? '', /apps\/writer\/dist\/main\.js$/)
})

test('kill --signal SIGTERM: the writer logs the guide\'s two lines about 3 s apart and is "exited" (0)', async () => {
  // The health-watcher (when built) would restart the exited writer: keep it out of this test.
  if ((await ps()).some((s) => s.name === 'health_watcher'))
    assert.equal((await lab('stop', 'health_watcher')).code, 0)
  assert.equal((await lab('kill', '--signal', 'SIGTERM', 'app_slow')).code, 0)
  const deadline = Date.now() + 20_000
  let writer: ServiceStatus | undefined
  while (Date.now() < deadline) {
    writer = (await ps()).find((s) => s.name === 'app_slow')
    if (writer?.state === 'exited') break
    await sleep(300)
  }
  assert.equal(writer?.state, 'exited')
  assert.equal(writer?.exitCode, 0)
  const { stdout } = await lab('logs', '--tail', '50', 'writer')
  const times = [
    'Received signal 15. Starting graceful shutdown...',
    'Graceful shutdown complete. Exiting.',
  ].map((message) => {
    const line = stdout.split('\n').findLast((l) => l.includes(message))
    assert.ok(line, `log line "${message}"`)
    return Date.parse((JSON.parse(line) as { time: string }).time)
  })
  const gapS = ((times[1] as number) - (times[0] as number)) / 1000
  assert.ok(gapS >= 2.9 && gapS < 10, `the two lines are ${gapS} s apart`)
  // --pretty: the same record as one readable line (time, level, message), no raw JSON
  const pretty = await lab('logs', '--pretty', '--tail', '50', 'writer')
  assert.equal(pretty.code, 0, pretty.stderr)
  assert.match(pretty.stdout, /^\[[\d:.]+\] INFO: Graceful shutdown complete\. Exiting\./m, pretty.stdout)
  assert.ok(!pretty.stdout.includes('"level":'), `a JSON record was printed raw:\n${pretty.stdout}`)
  assert.equal((await fetch(`${LB}/write`, { method: 'POST' })).status, 502)
  assert.equal((await lab('start', 'app_slow')).code, 0)
  await waitHealthy('app_slow')
})

test('usage errors exit 2; a second stack on the same offset is refused', async () => {
  const unknown = await lab('stop', 'app_nope')
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown service "app_nope": expected one of app_slow/)
  assert.equal((await lab('frobnicate')).code, 2)
  const second = await lab('up')
  assert.equal(second.code, 1)
  assert.match(second.stderr, /already running: supervisor pid \d+/)
})

test('SIGTERM during lab test: exit 143, not 0, although the scenario it cut short passed its checks', async () => {
  // T4's reads do not stop on the interrupt, so T4 completes with passing checks: before, the
  // run then exited 0, as if it had passed.
  const child = spawn(
    process.execPath,
    [
      CLI,
      'test',
      'T4',
      '--json',
      join(env.LAB_STATE_DIR, 'interrupted.json'),
      '--html',
      join(env.LAB_STATE_DIR, 'interrupted.html'),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const deadline = Date.now() + 60_000
  while (!out.includes('[T4] Load-balancing distribution')) {
    if (child.exitCode !== null) assert.fail(`lab test exited ${child.exitCode} before T4 ran:\n${out}`)
    if (Date.now() > deadline) assert.fail(`T4 did not start within 60 s:\n${out}`)
    await sleep(50)
  }
  child.kill('SIGTERM')
  const [code] = await exited
  assert.equal(code, 143, out)
  assert.match(out, /interrupted \(SIGTERM\): finishing the current step and restoring the stack/)
  assert.match(out, /lab test: interrupted by SIGTERM after 1 of 1 scenarios .*not a pass \(exit 143\)/)
  assert.match(out, /^T4 .* FAIL /m)
  const report = JSON.parse(readFileSync(join(env.LAB_STATE_DIR, 'interrupted.json'), 'utf8')) as {
    passed: boolean
  }
  assert.equal(report.passed, false)
  for (const name of ['app_slow', 'app_fast_1', 'app_fast_2', 'nginx_lb'])
    assert.equal(
      (await ps()).find((s) => s.name === name)?.state,
      'running',
      `${name} after the interrupted run`,
    )
})

test('SIGTERM stops every service gracefully and exits 0', async () => {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    processes: Record<string, { pid: number | null }>
  }
  const pids = Object.values(state.processes).flatMap((p) => (p.pid === null ? [] : [p.pid]))
  assert.ok(pids.length >= 4)
  stack.kill('SIGTERM')
  const [code] = (await once(stack, 'exit')) as [number | null]
  assert.equal(code, 0, output)
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} is gone`)
  assert.equal(existsSync(stateFile), false)
  assert.match(output, /app_slow: stopped with exit code 0/)
})

/** The pids of `pid`'s children (an nginx master's workers), from /proc. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

test('the terminal closed (SIGHUP, its output gone): every service stopped, nginx workers too, exit 0', async () => {
  const hungUp = spawn(process.execPath, [CLI, 'up', '--no-prometheus'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let upOutput = ''
  hungUp.stdout?.on('data', (chunk: Buffer) => {
    upOutput += chunk.toString()
  })
  try {
    const deadline = Date.now() + 120_000
    while (!upOutput.includes('Ctrl-C stops the stack')) {
      if (hungUp.exitCode !== null) assert.fail(`lab up exited with ${hungUp.exitCode}:\n${upOutput}`)
      if (Date.now() > deadline) assert.fail(`lab up not ready within 120 s:\n${upOutput}`)
      await sleep(200)
    }
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      processes: Record<string, { pid: number | null }>
    }
    const nginxPid = state.processes.nginx_lb?.pid
    assert.ok(nginxPid, 'nginx_lb runs')
    const workers = childPids(nginxPid)
    assert.ok(workers.length >= 1, 'nginx_lb has workers')
    const pids = [
      ...Object.values(state.processes).flatMap((p) => (p.pid === null ? [] : [p.pid])),
      ...workers,
    ]
    // What a closed terminal does: the reader of its output is gone, then SIGHUP.
    hungUp.stdout?.destroy()
    hungUp.stderr?.destroy()
    hungUp.kill('SIGHUP')
    const exited = once(hungUp, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
    const [code, signal] = await Promise.race([
      exited,
      sleep(60_000).then(() => assert.fail('lab up still runs 60 s after SIGHUP')),
    ])
    assert.equal(signal, null, `lab up died of ${signal} instead of stopping the stack`)
    assert.equal(code, 0)
    const left = pids.filter((pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    assert.deepEqual(left, [], 'processes of the stack still running after the hang-up')
    assert.equal(existsSync(stateFile), false)
  } finally {
    if (hungUp.exitCode === null && hungUp.signalCode === null) hungUp.kill('SIGKILL')
  }
})
