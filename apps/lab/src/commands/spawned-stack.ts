/**
 * `lab test --start-stack`: runs `lab up` as a child process (same LAB_PORT_OFFSET), waits
 * until its state file names it and every service it lists runs and is healthy, and stops
 * it with SIGTERM afterwards (the stack drains every service, as on Ctrl-C).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { stackStateFile } from '../paths.js'
import { readStackState } from '../stack/state-file.js'
import { connectNative } from '../target.js'

/** Timings of the spawned stack, milliseconds. */
const SPAWNED_STACK = {
  /** the whole stack up and healthy (apps, nginx, watcher, Prometheus) */
  readyTimeoutMs: 120_000,
  pollIntervalMs: 500,
  /** a graceful stop drains every service (3 s each, in parallel) */
  stopTimeoutMs: 60_000,
  /** output lines kept to show when the stack fails to start */
  keptLines: 40,
}

export interface SpawnedStack {
  pid: number
  stop(): Promise<void>
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

async function isReady(childPid: number): Promise<boolean> {
  if (readStackState(stackStateFile())?.supervisorPid !== childPid) return false
  const { target } = await connectNative()
  try {
    const services = await target.ps()
    return (
      services.length > 0 &&
      services.every((s) => s.state === 'running' && (s.health === 'healthy' || s.health === 'none'))
    )
  } finally {
    await target.close()
  }
}

export async function startNativeStack(log: (line: string) => void): Promise<SpawnedStack> {
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url))
  const child = spawn(process.execPath, [cli, 'up'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error(`could not start ${process.execPath} ${cli} up`)
  const pid = child.pid
  const output: string[] = []
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    output.splice(0, Math.max(0, output.length - SPAWNED_STACK.keptLines))
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    log(`stopping the native stack (pid ${pid}) with SIGTERM`)
    child.kill('SIGTERM')
    const gone = await Promise.race([
      exited(child).then(() => true),
      sleep(SPAWNED_STACK.stopTimeoutMs, undefined, { ref: false }).then(() => false),
    ])
    if (!gone) {
      log(`the stack did not stop within ${SPAWNED_STACK.stopTimeoutMs / 1000} s: SIGKILL`)
      child.kill('SIGKILL')
      await exited(child)
    }
  }

  log(
    `starting the native stack: ${process.execPath} ${cli} up (pid ${pid}, LAB_PORT_OFFSET=${process.env.LAB_PORT_OFFSET ?? '0'})`,
  )
  const deadline = performance.now() + SPAWNED_STACK.readyTimeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the native stack exited (${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}) before it was ready; its last output:\n  ${output.join('\n  ')}`,
      )
    }
    if (await isReady(pid).catch(() => false)) break
    if (performance.now() > deadline) {
      await stop()
      throw new Error(
        `the native stack was not ready within ${SPAWNED_STACK.readyTimeoutMs / 1000} s; its last output:\n  ${output.join('\n  ')}`,
      )
    }
    await sleep(SPAWNED_STACK.pollIntervalMs)
  }
  log('native stack ready')
  return { pid, stop }
}
