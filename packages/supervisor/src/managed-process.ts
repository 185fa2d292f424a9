/**
 * One supervised child process: start, stop (stop signal, SIGKILL after a grace period),
 * kill with any signal, and what happened to it (pid, exit code, restarts). Its stdout and
 * stderr go through a pipe to its log file, rotated by size (log-rotation.ts). It never restarts by itself: a process that exits
 * on its own stays 'exited' (restarting it is the health-watcher's job); one the
 * supervisor stopped on request is 'stopped'.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { constants } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  ControlError,
  type Health,
  type ProcessStatus,
  type RunState,
  type ServiceInspect,
  type ServiceStatus,
} from '@production-lab/control'
import type { TObject } from '@sinclair/typebox'
import type { CgroupLimits } from './cgroups.js'
import { stackDefaults } from './defaults.js'
import { checkEnvOverrides, visibleEnv } from './env-overrides.js'
import { type LogRotation, logRotationFromEnv, RotatingLogWriter } from './log-rotation.js'
import { assertPortsFree } from './ports.js'
import type { ProbeKind } from './probe.js'

export interface ProcessSpec {
  /** canonical name (the guide's container name) */
  name: string
  command: string
  args: string[]
  /** the service's own environment, on top of the supervisor's */
  env: Record<string, string>
  cwd?: string
  /** base URL of its HTTP probes, null when it has none */
  url: string | null
  readyPath: string
  probe: ProbeKind
  /** ports it listens on, checked before every start */
  ports: number[]
  stopSignal: NodeJS.Signals
  /** seconds between the stop signal and SIGKILL */
  stopTimeoutS: number
  logFile: string
  /** how its log file is bounded; default LAB_LOG_MAX_BYTES / LAB_LOG_KEEP_FILES (log-rotation.ts) */
  logRotation?: LogRotation
  /** resource limits, when the stack applies some (the writer) */
  limits?: { cpus: number; memoryBytes: number }
  /** runs before every start, e.g. to render a config file */
  prepare?: () => void | Promise<void>
  /** its configuration schema: the only keys the control API may override, and what shows in inspect */
  configSchema?: TObject
}

export interface ProcessEvent {
  name: string
  /** stopping: a stop was asked for (the stop signal is being sent); the process still runs */
  kind: 'started' | 'stopping' | 'exited' | 'stopped'
  pid: number | null
  exitCode?: number | null
  message: string
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code
  // As shells and Docker report it: 128 + signal number.
  return signal ? 128 + constants.signals[signal] : null
}

export class ManagedProcess {
  readonly spec: ProcessSpec
  readonly #onEvent: (event: ProcessEvent) => void
  #cgroup: CgroupLimits | null
  #child: ChildProcess | null = null
  #exited: Promise<void> = Promise.resolve()
  #state: RunState = 'stopped'
  #startedAt: Date | null = null
  #exitCode: number | null = null
  #starts = 0
  #stopRequested = false
  /** the start/stop/restart in progress, so they never overlap */
  #queue: Promise<void> = Promise.resolve()
  /** whether it has answered its readiness probe since its last start */
  #wasReady = false
  /** per-service environment set through the control API, applied on every start until cleared */
  #envOverrides: Record<string, string> = {}

  constructor(
    spec: ProcessSpec,
    options: { cgroup?: CgroupLimits | null; onEvent?: (event: ProcessEvent) => void } = {},
  ) {
    this.spec = spec
    this.#cgroup = options.cgroup ?? null
    this.#onEvent = options.onEvent ?? (() => {})
  }

  get name(): string {
    return this.spec.name
  }

  get state(): RunState {
    return this.#state
  }

  get pid(): number | null {
    return this.#child?.pid ?? null
  }

  get running(): boolean {
    return this.#state === 'running' || this.#state === 'starting' || this.#state === 'stopping'
  }

  get startedAt(): Date | null {
    return this.#startedAt
  }

  get wasReady(): boolean {
    return this.#wasReady
  }

  markReady(): void {
    this.#wasReady = true
  }

  get envOverrides(): Record<string, string> {
    return { ...this.#envOverrides }
  }

  /** Throws EnvRefused (env-overrides.ts) for a key outside the service's config schema or a value it rejects. */
  setEnvOverrides(env: Record<string, string>): void {
    checkEnvOverrides(this.name, this.spec.configSchema, this.environment(), env)
    this.#envOverrides = { ...this.#envOverrides, ...env }
  }

  clearEnvOverrides(): void {
    this.#envOverrides = {}
  }

  /** The environment the process gets: the supervisor's, the spec's, then the overrides. */
  environment(): Record<string, string> {
    const limitEnv: Record<string, string> =
      this.spec.limits && this.#cgroup?.enforced
        ? {
            CPU_LIMIT_CORES: String(this.spec.limits.cpus),
            MEMORY_LIMIT_BYTES: String(this.spec.limits.memoryBytes),
          }
        : {}
    return { ...this.spec.env, ...limitEnv, ...this.#envOverrides }
  }

  /**
   * Spawns the process; resolves once it runs (not necessarily ready). Starting a running
   * process is a no-op, as `docker start` on a running container (a scenario and the
   * health-watcher may both start the same service).
   */
  start(): Promise<void> {
    return this.#serialized(() => this.#start())
  }

  async #start(): Promise<void> {
    if (this.running) return
    await assertPortsFree(this.name, this.spec.ports)
    await this.spec.prepare?.()
    const log = new RotatingLogWriter(this.spec.logFile, this.spec.logRotation ?? logRotationFromEnv())
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.environment() },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches only the supervisor,
      // which then stops every service in order, instead of all of them at once.
      detached: true,
    })
    const write = (chunk: Buffer) => log.write(chunk)
    child.stdout?.on('data', write)
    child.stderr?.on('data', write)
    // Every pipe closed (the process and any child holding them gone): the file is complete.
    const drained = new Promise<void>((resolve) => child.once('close', () => resolve()))
    void drained.then(() => log.close())
    this.#state = 'starting'
    this.#wasReady = false
    this.#stopRequested = false
    this.#exitCode = null
    this.#child = child
    this.#exited = new Promise((resolve) => {
      // Recorded once its last output is in the log file (bounded: a grandchild may hold the pipes).
      child.once('exit', (code, signal) => {
        void Promise.race([drained, sleep(stackDefaults.logDrainTimeoutMs)]).then(() =>
          resolve(this.#recordExit(child, code, signal)),
        )
      })
      // A failed spawn (e.g. ENOENT) emits 'error' and no 'exit'.
      child.once('error', () => resolve(this.#recordExit(child, 127, null)))
    })
    try {
      await new Promise((resolve, reject) => {
        child.once('spawn', resolve)
        child.once('error', reject)
      })
    } catch (error) {
      throw new ControlError(
        `${this.name} could not be started (${this.spec.command}): ${(error as Error).message}`,
        'FAILED',
      )
    }
    // It may already have exited (recorded as 'exited'); then there is nothing to mark running.
    if (this.#child !== child || child.pid === undefined || this.#state !== 'starting') return
    this.#cgroup?.addProcess(child.pid)
    this.#starts += 1
    this.#startedAt = new Date()
    this.#state = 'running'
    this.#onEvent({ name: this.name, kind: 'started', pid: child.pid, message: `started, pid ${child.pid}` })
  }

  #recordExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (
      this.#child !== child ||
      (this.#state !== 'running' && this.#state !== 'starting' && this.#state !== 'stopping')
    ) {
      return
    }
    this.#exitCode = exitCodeOf(code, signal)
    this.#state = this.#stopRequested ? 'stopped' : 'exited'
    const how = signal ? `signal ${signal} (exit code ${this.#exitCode})` : `exit code ${code}`
    this.#onEvent({
      name: this.name,
      kind: this.#state === 'stopped' ? 'stopped' : 'exited',
      pid: child.pid ?? null,
      exitCode: this.#exitCode,
      message: `${this.#state === 'stopped' ? 'stopped' : 'exited on its own'} with ${how}`,
    })
  }

  /**
   * The stop signal, then SIGKILL after `timeoutS`; resolves once the process is gone.
   * Stopping a process that does not run is a no-op, as `docker stop` on a stopped container.
   */
  stop(timeoutS = this.spec.stopTimeoutS): Promise<void> {
    return this.#serialized(() => this.#stop(timeoutS))
  }

  async #stop(timeoutS: number): Promise<void> {
    const child = this.#child
    if (!child || !this.running) return
    this.#stopRequested = true
    this.#state = 'stopping'
    this.#onEvent({
      name: this.name,
      kind: 'stopping',
      pid: child.pid ?? null,
      message: `stopping (${this.spec.stopSignal}, SIGKILL after ${timeoutS} s)`,
    })
    this.#signal(child, this.spec.stopSignal)
    const grace = new AbortController()
    const gone = await Promise.race([
      this.#exited.then(() => true),
      sleep(timeoutS * 1000, false, { signal: grace.signal }).catch(() => false),
    ])
    grace.abort()
    if (!gone) {
      this.#signal(child, 'SIGKILL')
      await this.#exited
    }
  }

  restart(timeoutS = this.spec.stopTimeoutS): Promise<void> {
    return this.#serialized(async () => {
      await this.#stop(timeoutS)
      await this.#start()
    })
  }

  /**
   * Runs start/stop/restart one at a time: the health-watcher and a scenario may act on the
   * same service at once, and two overlapping starts would spawn two processes.
   */
  #serialized(operation: () => Promise<void>): Promise<void> {
    const result = this.#queue.then(operation)
    this.#queue = result.catch(() => {})
    return result
  }

  /** Sends `signal` and returns at once; an exit that follows counts as the process's own ('exited'). */
  kill(signal: NodeJS.Signals): void {
    const child = this.#child
    if (!child || !this.running)
      throw new ControlError(`${this.name} is not running (state ${this.#state})`, 'REFUSED')
    if (!(signal in constants.signals))
      throw new ControlError(`unknown signal ${JSON.stringify(signal)}`, 'REFUSED')
    this.#signal(child, signal)
  }

  /**
   * A signal goes to the service's main process, as `docker kill --signal` reaches a
   * container's PID 1; SIGKILL goes to its whole process group, as killing a container ends
   * every process in it. A SIGKILLed nginx master otherwise leaves its workers behind,
   * holding the port (seen after a terminal was closed on `pnpm dev`).
   */
  #signal(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      if (signal === 'SIGKILL' && child.pid !== undefined) process.kill(-child.pid, signal)
      else child.kill(signal)
    } catch {
      // Already gone: the 'exit' event records it.
    }
  }

  /** Resolves when the current process (if any) has exited. */
  whenExited(): Promise<void> {
    return this.#exited
  }

  /** Cleans up the cgroup; call once the process is gone for good. */
  dispose(): void {
    this.#cgroup?.remove()
  }

  /** What the supervisor itself knows of the process: answers at once, whatever the service is doing. */
  processStatus(): ProcessStatus {
    return {
      name: this.name,
      state: this.#state,
      pid: this.running ? this.pid : null,
      url: this.spec.url,
      startedAt: this.#startedAt?.toISOString() ?? null,
      restarts: Math.max(0, this.#starts - 1),
      exitCode: this.#exitCode,
    }
  }

  status(health: Health): ServiceStatus {
    return { ...this.processStatus(), health: this.running ? health : 'none' }
  }

  inspect(health: Health): ServiceInspect & { envOverrides: Record<string, string> } {
    const limits = this.spec.limits
    return {
      ...this.status(health),
      limits: {
        cpus: limits?.cpus ?? null,
        memoryBytes: limits?.memoryBytes ?? null,
        enforced: Boolean(limits && this.#cgroup?.enforced),
        mechanism: limits
          ? (this.#cgroup?.mechanism ?? 'not enforced: no cgroup prepared')
          : 'no limits configured',
      },
      command: [this.spec.command, ...this.spec.args],
      env: visibleEnv(this.spec.configSchema, this.environment()),
      envOverrides: this.envOverrides,
    }
  }
}
