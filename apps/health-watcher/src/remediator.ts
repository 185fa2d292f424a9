/**
 * How the watcher learns about a target's process and restarts it, by WATCHER_ADAPTER:
 *   native   the native stack's control API (NativeTarget): ps says 'stopped' for a deliberate stop
 *   docker   the Docker Engine API (ComposeTarget): only containers labelled AUTOHEAL_LABEL=true,
 *            checked again before every restart; never nginx_lb nor the watcher's own container
 *   observe  probes, states and metrics only; never restarts anything
 * A missing socket or an unreachable control API is a StartupError naming the variable, so a
 * misconfigured watcher exits at once instead of silently healing nothing.
 */
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { ComposeTarget, type ControlTarget, NativeTarget, readTokenFile } from '@production-lab/control'
import type { Logger } from '@production-lab/lifecycle'
import type { AdapterKind, WatcherConfig } from './config.js'
import { neverRestartedReason } from './never-restarted.js'
import type { ProcessInfo } from './target-tracker.js'

export interface Remediator {
  readonly kind: AdapterKind
  /** Whether the watcher may restart this target at all. */
  remediable(name: string): boolean
  /** What the control plane says about the target's process; undefined when it cannot tell. */
  processInfo(name: string): Promise<ProcessInfo>
  /** Stops (SIGTERM, SIGKILL after `stopTimeoutS`) and starts the target; resolves once it runs. */
  restart(name: string, stopTimeoutS: number): Promise<void>
  close(): Promise<void>
}

/** The watcher cannot work as configured; main prints it and exits EXIT_STARTUP_ERROR. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StartupError'
  }
}

/** EX_UNAVAILABLE: a service the watcher needs is not there. */
export const EXIT_STARTUP_ERROR = 69

export const observeOnly: Remediator = {
  kind: 'observe',
  remediable: () => false,
  processInfo: async () => undefined,
  restart: async (name) => {
    throw new Error(`observe-only watcher asked to restart ${name}`)
  },
  close: async () => {},
}

/** A remediator over any ControlTarget; `mayRestart` is checked again right before every restart. */
export class ControlRemediator implements Remediator {
  readonly kind: AdapterKind
  readonly #target: ControlTarget
  readonly #remediable: Set<string>
  readonly #mayRestart: (name: string) => Promise<boolean>
  readonly #close: () => Promise<void>

  constructor(options: {
    kind: AdapterKind
    target: ControlTarget
    remediable: Iterable<string>
    mayRestart?: (name: string) => Promise<boolean>
    close?: () => Promise<void>
  }) {
    this.kind = options.kind
    this.#target = options.target
    this.#remediable = new Set(options.remediable)
    this.#mayRestart = options.mayRestart ?? (async () => true)
    this.#close = options.close ?? (async () => {})
  }

  remediable(name: string): boolean {
    return this.#remediable.has(name)
  }

  /** The control plane's record only: `ps` would probe every service, and wait on a hung one. */
  async processInfo(name: string): Promise<ProcessInfo> {
    const status = await this.#target.processStatus(name)
    const startedAt = status.startedAt === null ? Number.NaN : Date.parse(status.startedAt)
    return {
      state: status.state,
      exitCode: status.exitCode,
      startedAt: Number.isNaN(startedAt) ? null : startedAt,
    }
  }

  async restart(name: string, stopTimeoutS: number): Promise<void> {
    if (!(await this.#mayRestart(name))) throw new NotOptedInError(name)
    await this.#target.restart(name, { timeoutS: stopTimeoutS })
  }

  close(): Promise<void> {
    return this.#close()
  }
}

export class NotOptedInError extends Error {
  constructor(name: string) {
    super(`${name} does not carry the opt-in label any more: not restarting it`)
    this.name = 'NotOptedInError'
  }
}

/** Builds the configured remediator and checks it can reach what it needs. */
export async function createRemediator(config: WatcherConfig, logger: Logger): Promise<Remediator> {
  const names = config.targets.map((t) => t.name)
  if (config.WATCHER_ADAPTER === 'observe') {
    logger.warn({ targets: names }, 'WATCHER_ADAPTER=observe: probing only, nothing will be restarted')
    return observeOnly
  }
  if (config.WATCHER_ADAPTER === 'native') {
    // Read once: the supervisor writes a new token at each start, and starts the watcher after.
    const token = readTokenFile(config.CONTROL_TOKEN_FILE)
    if (token === undefined)
      logger.warn(
        { file: config.CONTROL_TOKEN_FILE },
        'no control token file: the control API will refuse us',
      )
    const target = new NativeTarget(config.CONTROL_URL, token === undefined ? {} : { token })
    const running = await retryUntil(config.STARTUP_CHECK_TIMEOUT_MS, () => target.ps()).catch(
      async (error: Error) => {
        await target.close()
        throw new StartupError(
          `CONTROL_URL=${config.CONTROL_URL}: the native stack's control API did not answer within ${config.STARTUP_CHECK_TIMEOUT_MS} ms (${error.message}); start the stack (\`pnpm lab up\`), set CONTROL_URL, or use WATCHER_ADAPTER=observe`,
        )
      },
    )
    const known = new Set(running.map((s) => s.name))
    const unknown = names.filter((name) => !known.has(name))
    if (unknown.length > 0) {
      await target.close()
      throw new StartupError(
        `WATCH_TARGETS names ${unknown.join(', ')}, which the control API at ${config.CONTROL_URL} does not run (it runs ${[...known].join(', ')})`,
      )
    }
    return new ControlRemediator({ kind: 'native', target, remediable: names, close: () => target.close() })
  }
  return createDockerRemediator(config, names, logger)
}

async function createDockerRemediator(
  config: WatcherConfig,
  names: string[],
  logger: Logger,
): Promise<Remediator> {
  const socket = config.DOCKER_SOCKET
  if (!existsSync(socket)) {
    throw new StartupError(
      `DOCKER_SOCKET=${socket} does not exist: mount the Docker socket into the watcher (compose: /var/run/docker.sock), set DOCKER_SOCKET, or use WATCHER_ADAPTER=observe`,
    )
  }
  const docker = new ComposeTarget({ socketPath: socket, names })
  const label = config.AUTOHEAL_LABEL
  // Never the load balancer nor the watcher itself, labelled or not (never-restarted.ts).
  const never = new Map<string, string>()
  const optedIn = async (name: string) => !never.has(name) && (await docker.labels(name))[label] === 'true'
  try {
    await retryUntil(config.STARTUP_CHECK_TIMEOUT_MS, () => docker.ping())
    for (const name of names) {
      const reason = neverRestartedReason(name, await docker.containerId(name))
      if (reason !== undefined) never.set(name, reason)
    }
    if (never.size > 0) {
      const listed = [...never].map(([name, reason]) => `${name} (${reason})`).join(', ')
      logger.warn({ never: Object.fromEntries(never) }, `Never restarted, whatever their labels: ${listed}`)
    }
    const remediable: string[] = []
    for (const name of names) {
      if (await optedIn(name)) remediable.push(name)
    }
    const observed = names.filter((name) => !remediable.includes(name) && !never.has(name))
    if (observed.length > 0) {
      logger.warn(
        { observed, label },
        `Containers without the label ${label}=true are only observed, never restarted: ${observed.join(', ')}`,
      )
    }
    return new ControlRemediator({
      kind: 'docker',
      target: docker,
      remediable,
      mayRestart: optedIn,
      close: () => docker.close(),
    })
  } catch (error) {
    await docker.close()
    const message = (error as Error).message
    if (/no container named/.test(message)) throw new StartupError(`WATCH_TARGETS: ${message}`)
    throw new StartupError(`DOCKER_SOCKET=${socket}: ${message}`)
  }
}

/** Calls `attempt` until it resolves or `timeoutMs` has passed; rejects with the last error. */
async function retryUntil<T>(timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (Date.now() + 250 > deadline) throw error
      await sleep(250)
    }
  }
}
