/**
 * Servers under test as real child processes: spawned with `node` directly (so signals
 * reach them), their output in a log file per service, and every one of them stopped by
 * its own pid when the run ends, also when it fails. Not the supervisor's ManagedProcess:
 * this one times its child (spawn and exit instants for the lifecycle costs) and owns its
 * whole environment; it has no restarts, probes or control API.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { defaults } from './defaults.js'

export interface SpawnRequest {
  /** a short name for messages and the log file */
  name: string
  /** the command and its arguments */
  command: string
  args: string[]
  /** the whole environment of the child: nothing leaks in from the benchmark's own */
  env: Record<string, string>
  logFile: string
}

export class MeasuredProcess {
  readonly name: string
  readonly logFile: string
  readonly #child: ChildProcess
  /** performance.now() just before spawn */
  readonly spawnedAt: number
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
  #running = true
  /** why spawning failed (command not found, ...), if it did */
  startError: Error | undefined

  constructor(request: SpawnRequest) {
    this.name = request.name
    this.logFile = request.logFile
    const log = openSync(request.logFile, 'w')
    this.spawnedAt = performance.now()
    try {
      this.#child = spawn(request.command, request.args, { env: request.env, stdio: ['ignore', log, log] })
    } finally {
      closeSync(log)
    }
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#running = false
        resolve({ code, signal, at: performance.now() })
      })
    })
    this.#child.once('error', (error) => {
      this.#running = false
      this.startError = new Error(`could not start ${this.name} (${request.command}): ${error.message}`)
    })
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`${this.name} has no pid: it failed to start`)
    return this.#child.pid
  }

  get running(): boolean {
    return this.#running
  }

  signal(signal: NodeJS.Signals): void {
    if (this.#running) this.#child.kill(signal)
  }

  /** SIGTERM, then SIGKILL if it has not exited in time. */
  async stop(): Promise<void> {
    if (!this.#running) return
    this.signal('SIGTERM')
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(defaults.exitTimeoutMs, true)])
    if (timedOut) {
      this.signal('SIGKILL')
      await this.exited
    }
  }

  /** The last lines of its log, for error messages. */
  tail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return '(no log)'
    }
  }
}

/**
 * Polls `url` until it answers 200 and returns the milliseconds since the process was
 * spawned. Fails with the service's last log lines if it exits or takes too long.
 */
export async function waitUntilReady(process: MeasuredProcess, url: string): Promise<number> {
  const deadline = process.spawnedAt + defaults.readyTimeoutMs
  while (performance.now() < deadline) {
    if (process.startError) throw process.startError
    if (!process.running) {
      throw new Error(`${process.name} exited before it became ready; last log lines:\n${process.tail()}`)
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await response.body?.cancel()
      if (response.status === 200) return performance.now() - process.spawnedAt
    } catch {
      // Not listening yet: poll again.
    }
    await sleep(defaults.readyPollMs)
  }
  throw new Error(
    `${process.name} was not ready at ${url} within ${defaults.readyTimeoutMs} ms; last log lines:\n${process.tail()}`,
  )
}

/** Every process the run started, each stopped by its own pid. */
export class ProcessGroup {
  readonly #processes: MeasuredProcess[] = []

  start(request: SpawnRequest): MeasuredProcess {
    const started = new MeasuredProcess(request)
    this.#processes.push(started)
    return started
  }

  async stopAll(): Promise<void> {
    const stopping = this.#processes.splice(0)
    await Promise.all(stopping.map((started) => started.stop()))
  }
}
