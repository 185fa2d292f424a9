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
import { type ContainerJson, containerLimits, firstRegularFile, LogDemuxer, toStatus } from './engine-api.js'
import type { ControlTarget, ProcessStatus, ServiceInspect, ServiceStatus } from './target.js'
import { ControlError } from './target.js'

export interface ComposeTargetOptions {
  /** path of the Engine API unix socket, e.g. /var/run/docker.sock */
  socketPath: string
  /** container names ps() lists; default: the stack's services from the topology */
  names?: string[]
  /** seconds stop/restart wait before SIGKILL when the caller gives none */
  defaultStopTimeoutS?: number
}

/** Docker's compose stack: the services of the topology plus Grafana, which only compose runs. */
const DEFAULT_NAMES = [...APP_SERVICES.map((s) => s.name), ...INFRA_SERVICES, 'grafana']
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

function enc(name: string): string {
  return encodeURIComponent(name)
}
