/**
 * readEnforcedLimits (src/cgroup-limits.ts), which ComposeTarget.inspect uses for a running
 * container: a real process in a real cgroup with limits, a real process in none, a process
 * whose cgroup is not the named container's, and the cgroup v2 file formats.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseProcCgroup, readEnforcedLimits } from '../src/cgroup-limits.js'
import { containerLimits } from '../src/engine-api.js'

const MIB = 1024 * 1024

/** A child that lives until killed, and the kill. */
async function withChild(body: (pid: number) => void | Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
  try {
    assert.ok(child.pid)
    await body(child.pid)
  } finally {
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
}

test('a process in a cgroup v1 group of 0.5 CPU and 512 MiB: those values, read from the kernel', async () => {
  const own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'))
  const group = `production-lab-control-test-${process.pid}`
  const cpuDir = join('/sys/fs/cgroup/cpu', own.get('cpu') ?? '/', group)
  const memoryDir = join('/sys/fs/cgroup/memory', own.get('memory') ?? '/', group)
  try {
    mkdirSync(cpuDir, { recursive: true })
    mkdirSync(memoryDir, { recursive: true })
    writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), '100000')
    writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), '50000')
    writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(512 * MIB))
  } catch (error) {
    // Root on a cgroup v1 machine (this one, CI's): the test command runs as root. test:quick
    // leaves this file out (scripts/test-quick.mjs).
    assert.fail(`needs a writable cgroup v1 cpu and memory hierarchy (root): ${(error as Error).message}`)
  }
  try {
    await withChild((pid) => {
      writeFileSync(join(cpuDir, 'cgroup.procs'), String(pid))
      writeFileSync(join(memoryDir, 'cgroup.procs'), String(pid))
      const limits = readEnforcedLimits(pid, { cgroupNames: group })
      assert.equal(limits.cpus, 0.5)
      assert.equal(limits.memoryBytes, 512 * MIB)
      assert.match(
        limits.mechanism,
        /^cgroup v1 \(.*cpu\.cfs_quota_us 50000, cpu\.cfs_period_us 100000; .*memory\.limit_in_bytes 536870912\)$/,
      )
      // Another container's id: the pid is refused, not read as that container.
      assert.throws(
        () => readEnforcedLimits(pid, { cgroupNames: 'f00dfeed' }),
        /is not the one of f00dfeed: the engine's pids are not this machine's/,
      )
    })
  } finally {
    for (const dir of [cpuDir, memoryDir]) if (existsSync(dir)) rmdirSync(dir)
  }
})

test('a process in no limited group: no CPU quota and no memory limit (what a declared-only limit looks like)', async () => {
  await withChild((pid) => {
    const limits = readEnforcedLimits(pid)
    // The test runner's own cgroup may carry limits of the machine; this one never sets any below it.
    const own = readEnforcedLimits(process.pid)
    assert.deepEqual([limits.cpus, limits.memoryBytes], [own.cpus, own.memoryBytes])
    assert.match(limits.mechanism, /^cgroup v[12] \(/)
  })
  assert.throws(() => readEnforcedLimits(2 ** 22 + 1), /cannot read \/proc\/\d+\/cgroup/)
})

test('cgroup v2: cpu.max and memory.max of the process\'s unified path; "max" is no limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgroup-v2-'))
  const path = '/machine.slice/libpod-0123abcd.scope/container'
  mkdirSync(join(dir, 'proc', '4242'), { recursive: true })
  writeFileSync(join(dir, 'proc', '4242', 'cgroup'), `0::${path}\n`)
  mkdirSync(join(dir, 'sys', path), { recursive: true })
  writeFileSync(join(dir, 'sys', path, 'cpu.max'), '50000 100000\n')
  writeFileSync(join(dir, 'sys', path, 'memory.max'), `${512 * MIB}\n`)
  const options = { cgroupNames: '0123abcd', root: join(dir, 'sys'), proc: join(dir, 'proc') }
  assert.deepEqual((({ cpus, memoryBytes }) => ({ cpus, memoryBytes }))(readEnforcedLimits(4242, options)), {
    cpus: 0.5,
    memoryBytes: 512 * MIB,
  })
  writeFileSync(join(dir, 'sys', path, 'cpu.max'), 'max 100000\n')
  writeFileSync(join(dir, 'sys', path, 'memory.max'), 'max\n')
  const unlimited = readEnforcedLimits(4242, options)
  assert.deepEqual([unlimited.cpus, unlimited.memoryBytes], [null, null])
  assert.match(unlimited.mechanism, /^cgroup v2 \(.*: cpu\.max max 100000, memory\.max max\)$/)
})

test('ComposeTarget: a container declaring 0.5 CPU / 512 MiB whose running process has no such cgroup is not "enforced"', async () => {
  await withChild((pid) => {
    const declared = { NanoCpus: 500_000_000, Memory: 512 * MIB }
    const state = { Status: 'running', Pid: pid, ExitCode: 0, StartedAt: new Date().toISOString() }
    // Before, inspect answered from HostConfig alone: 0.5 CPU, 536870912 bytes, enforced, "docker".
    const unlimited = containerLimits({ Id: '', State: state, HostConfig: declared })
    assert.equal(unlimited.cpus, readEnforcedLimits(process.pid).cpus)
    assert.notEqual(unlimited.cpus, 0.5)
    assert.match(
      unlimited.mechanism,
      /^cgroup v[12] \(.* of the running container; declared 0\.5 CPU, 536870912 bytes \(HostConfig\)$/,
    )
    // A pid that is not the container's (its cgroup does not name the id): declared values, not enforced.
    const foreign = containerLimits({ Id: 'f00dfeed', State: state, HostConfig: declared })
    assert.deepEqual([foreign.cpus, foreign.memoryBytes, foreign.enforced], [0.5, 512 * MIB, false])
    assert.match(
      foreign.mechanism,
      /^not read from a cgroup \(pid \d+'s cgroup .* is not the one of f00dfeed/,
    )
  })
})
