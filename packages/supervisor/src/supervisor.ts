/**
 * The set of supervised processes: the control verbs by name (aliases accepted), health for
 * `ps`, and the whole stack's start (phase by phase, each ready before the next, the guide's
 * dependency order) and stop (reverse order, each process draining).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ControlError, type Health, type ServiceInspect, type ServiceStatus } from '@production-lab/control'
import { canonicalName } from '@production-lab/stack'
import { stackDefaults } from './defaults.js'
import { tailLines } from './log-file.js'
import type { ManagedProcess } from './managed-process.js'
import { probeHealth } from './probe.js'

export interface SupervisedEntry {
  process: ManagedProcess
  /** start order: every process of a phase is ready before the next phase starts */
  phase: number
}

export class ReadinessError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message)
    this.name = 'ReadinessError'
  }
}

export class Supervisor {
  readonly #entries: SupervisedEntry[]

  constructor(entries: SupervisedEntry[]) {
    this.#entries = [...entries].sort((a, b) => a.phase - b.phase)
  }

  get processes(): ManagedProcess[] {
    return this.#entries.map((entry) => entry.process)
  }

  /** The process for a name or alias; ControlError UNKNOWN_SERVICE otherwise. */
  get(nameOrAlias: string): ManagedProcess {
    const name = canonicalName(nameOrAlias) ?? nameOrAlias
    const found = this.processes.find((process) => process.name === name)
    if (!found) {
      throw new ControlError(
        `unknown service ${JSON.stringify(nameOrAlias)}: this stack runs ${this.processes.map((p) => p.name).join(', ')}`,
        'UNKNOWN_SERVICE',
      )
    }
    return found
  }

  async health(process: ManagedProcess): Promise<Health> {
    if (!process.running || process.spec.url === null) return 'none'
    const health = await probeHealth({
      url: process.spec.url,
      readyPath: process.spec.readyPath,
      kind: process.spec.probe,
    })
    if (health === 'healthy') process.markReady()
    // Not ready yet after a start: 'starting' for as long as `up` would wait for it (a start period).
    const sinceStartMs = Date.now() - (process.startedAt?.getTime() ?? 0)
    if (health === 'unhealthy' && !process.wasReady && sinceStartMs < stackDefaults.readyTimeoutS * 1000)
      return 'starting'
    return health
  }

  async ps(): Promise<ServiceStatus[]> {
    return Promise.all(this.processes.map(async (process) => process.status(await this.health(process))))
  }

  async inspect(nameOrAlias: string): Promise<ServiceInspect> {
    const process = this.get(nameOrAlias)
    return process.inspect(await this.health(process))
  }

  /**
   * Waits until `process` answers its readiness probe. Fails with its last log lines when
   * it exits first or is not ready within `timeoutS`.
   */
  async waitReady(process: ManagedProcess, timeoutS: number = stackDefaults.readyTimeoutS): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000
    while (Date.now() < deadline) {
      if (!process.running) {
        throw await this.#notReady(
          process,
          `${process.name} exited with code ${process.status('none').exitCode} before it was ready`,
        )
      }
      if ((await this.health(process)) === 'healthy') return
      await sleep(stackDefaults.readyPollIntervalMs)
    }
    throw await this.#notReady(
      process,
      `${process.name} did not become ready within ${timeoutS} s (${process.spec.url}${process.spec.readyPath})`,
    )
  }

  async #notReady(process: ManagedProcess, message: string): Promise<ReadinessError> {
    const lines = await tailLines(process.spec.logFile, stackDefaults.failureLogLines)
    const log = lines.length > 0 ? lines.map((line) => `    ${line}`).join('\n') : '    (no output)'
    return new ReadinessError(process.name, `${message}\n  last lines of ${process.spec.logFile}:\n${log}`)
  }

  /** Starts every process phase by phase; `onReady` reports each process once it is ready. Stops what it started on failure. */
  async startAll(onReady: (process: ManagedProcess) => void = () => {}): Promise<void> {
    const phases = [...new Set(this.#entries.map((entry) => entry.phase))]
    try {
      for (const phase of phases) {
        const members = this.#entries.filter((entry) => entry.phase === phase).map((entry) => entry.process)
        // allSettled: on a failure every member must have finished starting before stopAll runs.
        const results = await Promise.allSettled(
          members.map(async (process) => {
            await process.start()
            await this.waitReady(process)
            onReady(process)
          }),
        )
        const failed = results.find((result) => result.status === 'rejected')
        if (failed) throw failed.reason
      }
    } catch (error) {
      await this.stopAll()
      throw error
    }
  }

  /** Stops every process, the last phase first; the processes of one phase drain in parallel. */
  async stopAll(): Promise<void> {
    const phases = [...new Set(this.#entries.map((entry) => entry.phase))].reverse()
    for (const phase of phases) {
      const members = this.#entries.filter((entry) => entry.phase === phase).map((entry) => entry.process)
      await Promise.all(members.map((process) => process.stop()))
    }
    for (const process of this.processes) process.dispose()
  }
}
