/**
 * The Docker Engine API's wire formats, as the compose target reads them: a container's JSON
 * (GET /containers/{id}/json) as the control interface's status and limits, the multiplexed log
 * stream of a container without a TTY, and the tar stream of GET /containers/{id}/archive.
 * Pure functions of bytes and JSON, tested without an engine (compose.ts does the talking).
 */
import { readEnforcedLimits } from './cgroup-limits.js'
import type { Health, RunState, ServiceInspect, ServiceStatus } from './target.js'

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

const NEVER_STARTED = '0001-01-01T00:00:00Z'

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

export function toStatus(name: string, json: ContainerJson): ServiceStatus {
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
