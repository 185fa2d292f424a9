/**
 * ControlTarget over the native stack's control API (the supervisor started by `lab up`).
 * Names may be aliases (writer, reader-1, nginx...): they are resolved with canonicalName().
 * Beyond the interface: the stack's endpoints, and per-service environment overrides
 * (applied on every start until cleared), which the crash-loop scenario uses.
 * Every call carries the stack's bearer token (its token file, see token-file.ts).
 */

import { canonicalName } from '@production-lab/stack'
import { Agent, request } from 'undici'
import {
  ControlError,
  type ControlTarget,
  type ProcessStatus,
  type ServiceInspect,
  type ServiceStatus,
  type StackEndpoints,
} from './target.js'

/** milliseconds an ordinary control call may take; stop/restart wait for the grace period on top */
const CALL_TIMEOUT_MS = 10_000
/** seconds added to a stop's grace period before the call itself gives up */
const STOP_MARGIN_S = 30

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export class NativeTarget implements ControlTarget {
  readonly kind = 'native' as const
  readonly controlUrl: string
  readonly #agent = new Agent({ keepAliveTimeout: 1000 })
  readonly #headers: Record<string, string>

  /**
   * `controlUrl`: the supervisor's control API, e.g. http://127.0.0.1:8089 (see stackPorts);
   * `token`: its bearer token (the stack's control-token file).
   */
  constructor(controlUrl: string, options: { token?: string } = {}) {
    this.controlUrl = controlUrl.replace(/\/$/, '')
    this.#headers = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }
  }

  #path(name: string, action = ''): string {
    const canonical = canonicalName(name) ?? name
    return `/services/${encodeURIComponent(canonical)}${action ? `/${action}` : ''}`
  }

  async #call<T>(
    method: Method,
    path: string,
    options: { body?: unknown; timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS
    let response: Awaited<ReturnType<typeof request>>
    try {
      response = await request(`${this.controlUrl}${path}`, {
        method,
        dispatcher: this.#agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: {
          ...this.#headers,
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      })
    } catch (error) {
      throw new ControlError(
        `the native stack's control API at ${this.controlUrl} is unreachable (${(error as Error).message}): is the stack running? Start it with \`pnpm start\``,
        'UNREACHABLE',
      )
    }
    const text = await response.body.text()
    if (response.statusCode >= 400) {
      let code: ControlError['code'] = 'FAILED'
      let message = text
      try {
        const parsed = JSON.parse(text) as { error?: string; message?: string }
        message = parsed.message ?? text
        if (parsed.error === 'UNKNOWN_SERVICE' || parsed.error === 'REFUSED') code = parsed.error
        if (parsed.error !== undefined && response.statusCode < 500) message = `${parsed.error}: ${message}`
      } catch {
        // not JSON: keep the raw text
      }
      throw new ControlError(message, code)
    }
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  ps(): Promise<ServiceStatus[]> {
    return this.#call('GET', '/services')
  }

  processStatus(name: string): Promise<ProcessStatus> {
    return this.#call('GET', this.#path(name, 'process'))
  }

  inspect(name: string): Promise<ServiceInspect> {
    return this.#call('GET', this.#path(name))
  }

  async stop(name: string, options: { timeoutS?: number } = {}): Promise<void> {
    const query = options.timeoutS === undefined ? '' : `?timeoutS=${options.timeoutS}`
    await this.#call('POST', `${this.#path(name, 'stop')}${query}`, {
      timeoutMs: ((options.timeoutS ?? 0) + STOP_MARGIN_S) * 1000,
    })
  }

  async start(name: string): Promise<void> {
    await this.#call('POST', this.#path(name, 'start'))
  }

  async restart(name: string, options: { timeoutS?: number } = {}): Promise<void> {
    const query = options.timeoutS === undefined ? '' : `?timeoutS=${options.timeoutS}`
    await this.#call('POST', `${this.#path(name, 'restart')}${query}`, {
      timeoutMs: ((options.timeoutS ?? 0) + STOP_MARGIN_S) * 1000,
    })
  }

  async kill(name: string, signal: NodeJS.Signals): Promise<void> {
    await this.#call('POST', `${this.#path(name, 'kill')}?signal=${encodeURIComponent(signal)}`)
  }

  async logs(name: string, options: { tail?: number } = {}): Promise<string[]> {
    const query = options.tail === undefined ? '' : `?tail=${options.tail}`
    const { lines } = await this.#call<{ lines: string[] }>('GET', `${this.#path(name, 'logs')}${query}`)
    return lines
  }

  /** Follows new lines (none of the old ones) until `signal` aborts. */
  async followLogs(name: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    await this.followLogsWithTail(name, 0, onLine, signal)
  }

  /** The last `tail` lines, then new ones until `signal` aborts (`lab logs -f --tail N`). */
  async followLogsWithTail(
    name: string,
    tail: number,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return
    let response: Awaited<ReturnType<typeof request>>
    try {
      response = await request(`${this.controlUrl}${this.#path(name, 'logs')}?follow=1&tail=${tail}`, {
        dispatcher: this.#agent,
        headers: this.#headers,
        signal,
        bodyTimeout: 0,
      })
    } catch (error) {
      if (signal.aborted) return
      throw new ControlError(
        `cannot follow the logs of ${name} at ${this.controlUrl}: ${(error as Error).message}`,
        'UNREACHABLE',
      )
    }
    if (response.statusCode >= 400) {
      const parsed = JSON.parse(await response.body.text()) as { error?: string; message?: string }
      throw new ControlError(
        parsed.message ?? `HTTP ${response.statusCode}`,
        parsed.error === 'UNKNOWN_SERVICE' ? 'UNKNOWN_SERVICE' : 'FAILED',
      )
    }
    let partial = ''
    try {
      for await (const chunk of response.body) {
        const lines = (partial + (chunk as Buffer).toString('utf8')).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) onLine(line)
      }
    } catch (error) {
      if (!signal.aborted) throw error
    }
  }

  /** Where the stack answers: load balancer, services, Prometheus (never the admin token). */
  endpoints(): Promise<Omit<StackEndpoints, 'adminToken'>> {
    return this.#call('GET', '/endpoints')
  }

  /**
   * Sets configuration variables of `name` (keys of its config schema only), applied on every
   * (re)start until clearEnv; returns the names of all overrides (never their values).
   */
  setEnv(name: string, env: Record<string, string>): Promise<{ overrides: string[] }> {
    return this.#call('PUT', this.#path(name, 'env'), { body: env })
  }

  async clearEnv(name: string): Promise<void> {
    await this.#call('DELETE', this.#path(name, 'env'))
  }

  /** Closes the kept-alive connections to the control API. */
  close(): Promise<void> {
    return this.#agent.close()
  }
}
