/**
 * The compose stack's ControlTarget ('compose', the one word for it in the CLI and the code):
 * the Docker Engine API on its unix socket (Docker, or podman's
 * `podman system service`), for the compose stack: the lab's `--target compose` and the
 * health-watcher's docker adapter. Paths carry no API version: Docker then speaks its current
 * version and podman its compat version, so one client works with both.
 *
 * Docker cannot tell a deliberate stop from a crash: an exited container is RunState 'exited'
 * with its exit code (0 after a graceful SIGTERM), and 'stopped' means created, never started.
 */

import { APP_SERVICES, canonicalName, INFRA_SERVICES } from '@production-lab/stack'
import { Pool } from 'undici'
import { readEnforcedLimits } from './cgroup-limits.js'
import type {
  ControlTarget,
  Health,
  ProcessStatus,
  RunState,
  ServiceInspect,
  ServiceStatus,
} from './target.js'
import { ControlError } from './target.js'

export interface ComposeTargetOptions {
  /** path of the Engine API unix socket, e.g. /var/run/docker.sock */
  socketPath: string
  /** container names ps() lists; default: the stack's services from the topology */
  names?: string[]
  /** seconds stop/restart wait before SIGKILL when the caller gives none */
  defaultStopTimeoutS?: number
}

/** The subset of GET /containers/{id}/json this target reads. */
export interface ContainerJson {
  Id: string
  Name: string
  State: {
    Status: string
    Pid: number
    ExitCode: number
    StartedAt: string
    Health?: { Status: string }
  }
  RestartCount: number
  Config: {
    Cmd: string[] | null
    Entrypoint: string[] | null
    Env: string[] | null
    Labels: Record<string, string> | null
    Tty: boolean
  }
  HostConfig: { NanoCpus?: number; CpuQuota?: number; CpuPeriod?: number; Memory?: number }
  NetworkSettings: { Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null }
}

/** Docker's compose stack: the services of the topology plus Grafana, which only compose runs. */
const DEFAULT_NAMES = [...APP_SERVICES.map((s) => s.name), ...INFRA_SERVICES, 'grafana']
const NEVER_STARTED = '0001-01-01T00:00:00Z'
const DEFAULT_STOP_TIMEOUT_S = 10

export class ComposeTarget implements ControlTarget {
  readonly kind = 'compose' as const
  readonly socketPath: string
  readonly #pool: Pool
  readonly #names: string[]
  readonly #defaultStopTimeoutS: number

  constructor(options: ComposeTargetOptions) {
    this.socketPath = options.socketPath
    this.#names = options.names ?? DEFAULT_NAMES
    this.#defaultStopTimeoutS = options.defaultStopTimeoutS ?? DEFAULT_STOP_TIMEOUT_S
    // The host part is ignored on a unix socket; several connections so a followed log does not block calls.
    this.#pool = new Pool('http://docker', { socketPath: options.socketPath, connections: 4 })
  }

  /** Resolves when the Engine API answers GET /_ping; throws ControlError UNREACHABLE otherwise. */
  async ping(): Promise<void> {
    const text = await this.#call('GET', '/_ping', { expect: [200] })
    if (text.trim() !== 'OK')
      throw new ControlError(
        `${this.#where()} answered /_ping with ${JSON.stringify(text)}, not OK`,
        'FAILED',
      )
  }

  async ps(): Promise<ServiceStatus[]> {
    const list = JSON.parse(
      await this.#call('GET', '/containers/json?all=true', { expect: [200] }),
    ) as Array<{ Names: string[] }>
    const present = new Set(list.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))))
    const names = this.#names.filter((name) => present.has(name))
    return Promise.all(names.map(async (name) => toStatus(name, await this.#inspectJson(name))))
  }

  /** The engine's own record of the container (its health is Docker's last healthcheck, not a probe). */
  async processStatus(name: string): Promise<ProcessStatus> {
    const container = this.#container(name)
    return toStatus(container, await this.#inspectJson(container))
  }

  async inspect(name: string): Promise<ServiceInspect> {
    const container = this.#container(name)
    const json = await this.#inspectJson(container)
    return {
      ...toStatus(container, json),
      limits: containerLimits(json),
      command: [...(json.Config.Entrypoint ?? []), ...(json.Config.Cmd ?? [])],
      env: Object.fromEntries(
        (json.Config.Env ?? []).map((entry) => {
          const at = entry.indexOf('=')
          return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)]
        }),
      ),
    }
  }

  /** The container's full id (the health-watcher tells its own container by it). */
  async containerId(name: string): Promise<string> {
    return (await this.#inspectJson(this.#container(name))).Id
  }

  /** The container's labels (the health-watcher restarts only containers that opted in by label). */
  async labels(name: string): Promise<Record<string, string>> {
    return (await this.#inspectJson(this.#container(name))).Config.Labels ?? {}
  }

  /**
   * One file's content out of a running container: GET /containers/{id}/archive, a tar
   * stream of that one file. How the CLI reads the compose stack's generated admin token.
   */
  async readFile(name: string, path: string): Promise<Buffer> {
    const container = this.#container(name)
    await this.#inspectJson(container) // UNKNOWN_SERVICE for a missing container, not for a missing file
    const tar = await this.#callBytes(
      'GET',
      `/containers/${enc(container)}/archive?path=${encodeURIComponent(path)}`,
      [200],
    ).catch((error: unknown) => {
      if (error instanceof ControlError && error.code === 'UNKNOWN_SERVICE')
        throw new ControlError(`no file ${path} in ${container}`, 'REFUSED')
      throw error
    })
    const content = firstRegularFile(tar)
    if (content === undefined)
      throw new ControlError(`${path} in ${container} is not a regular file`, 'REFUSED')
    return content
  }

  async stop(name: string, options: { timeoutS?: number } = {}): Promise<void> {
    const t = options.timeoutS ?? this.#defaultStopTimeoutS
    // 304: already stopped, which is what was asked.
    await this.#call('POST', `/containers/${enc(this.#container(name))}/stop?t=${t}`, { expect: [204, 304] })
  }

  async start(name: string): Promise<void> {
    await this.#call('POST', `/containers/${enc(this.#container(name))}/start`, { expect: [204, 304] })
  }

  async restart(name: string, options: { timeoutS?: number } = {}): Promise<void> {
    const t = options.timeoutS ?? this.#defaultStopTimeoutS
    await this.#call('POST', `/containers/${enc(this.#container(name))}/restart?t=${t}`, { expect: [204] })
  }

  async kill(name: string, signal: NodeJS.Signals): Promise<void> {
    await this.#call('POST', `/containers/${enc(this.#container(name))}/kill?signal=${signal}`, {
      expect: [204],
    })
  }

  async logs(name: string, options: { tail?: number } = {}): Promise<string[]> {
    const container = this.#container(name)
    const { Config } = await this.#inspectJson(container)
    const tail = options.tail ?? 100
    const path = `/containers/${enc(container)}/logs?stdout=true&stderr=true&tail=${tail}`
    const raw = await this.#callBytes('GET', path, [200])
    const text = Config.Tty ? raw.toString('utf8') : new LogDemuxer().push(raw)
    return text.split('\n').filter((line) => line.length > 0)
  }

  async followLogs(name: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    const container = this.#container(name)
    const { Config } = await this.#inspectJson(container)
    const path = `/containers/${enc(container)}/logs?stdout=true&stderr=true&follow=true&tail=0`
    let response: Awaited<ReturnType<Pool['request']>>
    try {
      response = await this.#pool.request({ method: 'GET', path, signal, bodyTimeout: 0 })
    } catch (error) {
      if (signal.aborted) return
      throw this.#unreachable(error)
    }
    if (response.statusCode !== 200)
      throw this.#refused(response.statusCode, await response.body.text(), container)
    const demuxer = Config.Tty ? undefined : new LogDemuxer()
    let partial = ''
    try {
      for await (const chunk of response.body) {
        partial += demuxer ? demuxer.push(chunk as Buffer) : (chunk as Buffer).toString('utf8')
        const lines = partial.split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) if (line.length > 0) onLine(line)
      }
    } catch (error) {
      if (!signal.aborted) throw this.#unreachable(error)
    }
  }

  /** Closes the socket connections. */
  async close(): Promise<void> {
    await this.#pool.close()
  }

  #container(name: string): string {
    return canonicalName(name) ?? name
  }

  async #inspectJson(container: string): Promise<ContainerJson> {
    return JSON.parse(
      await this.#call('GET', `/containers/${enc(container)}/json`, { expect: [200] }),
    ) as ContainerJson
  }

  async #call(method: 'GET' | 'POST', path: string, options: { expect: number[] }): Promise<string> {
    return (await this.#callBytes(method, path, options.expect)).toString('utf8')
  }

  async #callBytes(method: 'GET' | 'POST', path: string, expect: number[]): Promise<Buffer> {
    let response: Awaited<ReturnType<Pool['request']>>
    try {
      response = await this.#pool.request({ method, path })
    } catch (error) {
      throw this.#unreachable(error)
    }
    const body = Buffer.from(await response.body.arrayBuffer())
    if (!expect.includes(response.statusCode)) {
      throw this.#refused(response.statusCode, body.toString('utf8'), path.split('/')[2] ?? path)
    }
    return body
  }

  #where(): string {
    return `Docker Engine API at unix://${this.socketPath}`
  }

  #unreachable(error: unknown): ControlError {
    const e = error as { code?: string; message?: string }
    return new ControlError(
      `${this.#where()} is unreachable: ${e.code ? `${e.code} ` : ''}${e.message ?? String(error)}`,
      'UNREACHABLE',
    )
  }

  #refused(status: number, body: string, container: string): ControlError {
    let message = body.trim()
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? message
    } catch {
      // Plain text: keep it.
    }
    if (status === 404)
      return new ControlError(
        `no container named ${decodeURIComponent(container)} (${message})`,
        'UNKNOWN_SERVICE',
      )
    // Docker says 409 for a verb the container's state does not allow; podman says 500 "state improper".
    if (status === 409 || /state improper|is not running/.test(message))
      return new ControlError(`${decodeURIComponent(container)}: ${message}`, 'REFUSED')
    return new ControlError(`${this.#where()} answered ${status}: ${message}`, 'FAILED')
  }
}

/**
 * The limits the running container's cgroup enforces (cgroup-limits.ts); when it cannot be read
 * (not running, or the engine's pids are not this machine's), the declared HostConfig values,
 * marked not enforced, with the reason.
 */
export function containerLimits(
  json: Pick<ContainerJson, 'Id' | 'State' | 'HostConfig'>,
): ServiceInspect['limits'] {
  const { NanoCpus, CpuQuota, CpuPeriod, Memory } = json.HostConfig
  const declaredCpus = NanoCpus ? NanoCpus / 1e9 : CpuQuota && CpuPeriod ? CpuQuota / CpuPeriod : null
  const declared = `declared ${declaredCpus ?? 'no'} CPU, ${Memory ? `${Memory} bytes` : 'no memory limit'} (HostConfig)`
  let why = 'the container is not running'
  if (json.State.Status === 'running' && json.State.Pid > 0) {
    try {
      const enforced = readEnforcedLimits(json.State.Pid, { cgroupNames: json.Id })
      return {
        cpus: enforced.cpus,
        memoryBytes: enforced.memoryBytes,
        enforced: enforced.cpus !== null || enforced.memoryBytes !== null,
        mechanism: `${enforced.mechanism} of the running container; ${declared}`,
      }
    } catch (error) {
      why = (error as Error).message
    }
  }
  return {
    cpus: declaredCpus,
    memoryBytes: Memory ? Memory : null,
    enforced: false,
    mechanism: `not read from a cgroup (${why}); ${declared}`,
  }
}

function enc(name: string): string {
  return encodeURIComponent(name)
}

function toStatus(name: string, json: ContainerJson): ServiceStatus {
  const { State } = json
  const running = State.Status === 'running'
  return {
    name,
    state: runState(State.Status),
    controlState: State.Status,
    health: health(State.Health?.Status),
    pid: State.Pid > 0 ? State.Pid : null,
    url: publishedUrl(json),
    startedAt: State.StartedAt && State.StartedAt !== NEVER_STARTED ? State.StartedAt : null,
    restarts: json.RestartCount,
    exitCode: running || State.Status === 'created' ? null : State.ExitCode,
  }
}

/**
 * The Engine API's states (Docker: created, running, paused, restarting, removing, exited,
 * dead; podman also reports stopping while a stop is under way, and configured/initialized
 * before a first start) as the control interface's RunState.
 */
function runState(status: string): RunState {
  switch (status) {
    case 'running':
      return 'running'
    case 'restarting':
      return 'starting'
    case 'stopping':
    case 'removing':
      return 'stopping'
    case 'paused':
      return 'paused'
    case 'exited':
    case 'dead':
      return 'exited'
    default:
      // created, configured, initialized: never started (or reset to it)
      return 'stopped'
  }
}

function health(status: string | undefined): Health {
  if (status === 'healthy' || status === 'unhealthy' || status === 'starting') return status
  return 'none'
}

/** The first port published on the host, as a URL reachable from this machine. */
function publishedUrl(json: ContainerJson): string | null {
  for (const bindings of Object.values(json.NetworkSettings.Ports ?? {})) {
    const binding = bindings?.[0]
    if (!binding?.HostPort) continue
    const host =
      binding.HostIp === '' || binding.HostIp === '0.0.0.0' || binding.HostIp === '::'
        ? '127.0.0.1'
        : binding.HostIp
    return `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}`
  }
  return null
}

/**
 * Splits the Engine API's multiplexed log stream (containers without a TTY): frames of an
 * 8-byte header (stream type, 3 zero bytes, big-endian payload length) and the payload.
 * Keeps a partial frame between chunks.
 */
export class LogDemuxer {
  #pending: Buffer = Buffer.alloc(0)

  /** Adds bytes; returns the text of every complete frame so far. */
  push(chunk: Buffer): string {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    let text = ''
    while (this.#pending.length >= 8) {
      const size = this.#pending.readUInt32BE(4)
      if (this.#pending.length < 8 + size) break
      text += this.#pending.subarray(8, 8 + size).toString('utf8')
      this.#pending = this.#pending.subarray(8 + size)
    }
    return text
  }
}

/** The content of the first regular file in a tar stream (512-byte headers, size in octal). */
export function firstRegularFile(tar: Buffer): Buffer | undefined {
  const BLOCK = 512
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK)
    if (header.every((byte) => byte === 0)) return undefined
    const size = Number.parseInt(
      header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0',
      8,
    )
    const type = String.fromCharCode(header[156] ?? 0)
    const start = at + BLOCK
    if (type === '0' || type === '\0') return tar.subarray(start, start + size)
    at = start + Math.ceil(size / BLOCK) * BLOCK
  }
  return undefined
}
