/**
 * spawnStack(): the native stack as a child process (this package's main.js, the same
 * runStack() as `lab up`), for every caller that needs a stack for a while: `lab test
 * --start-stack` and the observability integration test. It uses the caller's
 * LAB_PORT_OFFSET, optionally a fresh state dir (so Prometheus starts with no data from an
 * earlier run), waits until the state file names the child and every service it lists runs
 * and is healthy, and stops it with SIGTERM (every service drains, as on Ctrl-C).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  connectNative,
  type NativeTarget,
  readStackState,
  type StackEndpoints,
} from '@production-lab/control'
import { portOffsetFromEnv, REPO_ROOT, stackStateFile } from '@production-lab/stack'

/** Timings of a spawned stack, milliseconds. */
export const SPAWNED_STACK = {
  /** the whole stack up and healthy (apps, nginx, watcher, Prometheus) */
  readyTimeoutMs: 120_000,
  pollIntervalMs: 500,
  /** a graceful stop drains every service (3 s each, in parallel) */
  stopTimeoutMs: 60_000,
  /** output lines shown when the stack fails to start */
  shownLines: 40,
}

export interface SpawnStackOptions {
  /** progress lines (starting, ready, stopping) */
  log?: (line: string) => void
  /** a scratch LAB_STATE_DIR, removed at stop */
  freshStateDir?: boolean
  readyTimeoutMs?: number
}

export interface SpawnedStack {
  pid: number
  /** the stack's control API, open until stop() */
  target: NativeTarget
  endpoints: StackEndpoints
  /** everything the supervisor printed, for failure messages */
  output(): string
  stop(): Promise<void>
}

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url))

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

/** Whether the stack whose state file names `childPid` runs every service, healthy. */
async function isReady(childPid: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (readStackState(stackStateFile(env))?.supervisorPid !== childPid) return false
  const { target } = await connectNative(env)
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

/** SIGTERM, then SIGKILL when the graceful stop takes longer than SPAWNED_STACK.stopTimeoutMs. */
async function stopChild(child: ChildProcess, log: (line: string) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  log(`stopping the native stack (pid ${child.pid}) with SIGTERM`)
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

export async function spawnStack(options: SpawnStackOptions = {}): Promise<SpawnedStack> {
  const log = options.log ?? (() => {})
  const readyTimeoutMs = options.readyTimeoutMs ?? SPAWNED_STACK.readyTimeoutMs
  const stateDir = options.freshStateDir ? mkdtempSync(join(tmpdir(), 'lab-stack-')) : undefined
  const env = { ...process.env, ...(stateDir && { LAB_STATE_DIR: stateDir }) }
  const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error(`could not start ${process.execPath} ${MAIN}`)
  const pid = child.pid
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8')
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const lastLines = () => output.trimEnd().split('\n').slice(-SPAWNED_STACK.shownLines).join('\n  ')
  const cleanUp = async () => {
    await stopChild(child, log)
    if (stateDir) rmSync(stateDir, { recursive: true, force: true })
  }

  log(
    `starting the native stack: ${process.execPath} ${MAIN} (pid ${pid}, LAB_PORT_OFFSET=${portOffsetFromEnv(env)})`,
  )
  const deadline = performance.now() + readyTimeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await cleanUp()
      throw new Error(
        `the native stack exited (${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}) before it was ready; its last output:\n  ${lastLines()}`,
      )
    }
    if (await isReady(pid, env).catch(() => false)) break
    if (performance.now() > deadline) {
      await cleanUp()
      throw new Error(
        `the native stack was not ready within ${readyTimeoutMs / 1000} s; its last output:\n  ${lastLines()}`,
      )
    }
    await sleep(SPAWNED_STACK.pollIntervalMs)
  }
  const { target, endpoints } = await connectNative(env)
  log('native stack ready')
  return {
    pid,
    target,
    endpoints,
    output: () => output,
    async stop() {
      await target.close()
      await cleanUp()
    },
  }
}
