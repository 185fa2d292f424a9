/**
 * One control interface for a running stack, with the verbs of the lab guide's docker
 * commands. The lab runner and the health-watcher both use it, against the native
 * stack (the supervisor's control API) or containers (the Docker Engine API), so the
 * same scenario runs on either.
 */

/**
 * A service's process: `starting` and `stopping` change by themselves (see settle.ts); the
 * others hold until someone acts. `paused` is a container frozen by `docker pause`.
 */
export type RunState = 'running' | 'starting' | 'stopping' | 'stopped' | 'exited' | 'paused'
export type Health = 'healthy' | 'unhealthy' | 'starting' | 'draining' | 'none'

export interface ServiceStatus {
  /** canonical name, e.g. app_fast_1 */
  name: string
  state: RunState
  /**
   * The control plane's own word for the state when it has one (the Engine API's State.Status:
   * created, running, paused, restarting, removing, exited, dead, and podman's stopping,
   * configured), so a message can say exactly what was seen.
   */
  controlState?: string
  health: Health
  pid: number | null
  /** where the service answers HTTP from this machine, e.g. http://127.0.0.1:7002 */
  url: string | null
  /** ISO time of the last start */
  startedAt: string | null
  restarts: number
  exitCode: number | null
}

/** A service's process as the control plane itself records it: no health, so no probe of the service. */
export type ProcessStatus = Omit<ServiceStatus, 'health'>

export interface ServiceInspect extends ServiceStatus {
  limits: {
    /** cores; null when unlimited */
    cpus: number | null
    /** bytes; null when unlimited */
    memoryBytes: number | null
    /** whether the limits are really enforced (cgroups, container runtime), not only declared */
    enforced: boolean
    /** how: "cgroup v1", "cgroup v2", "docker", or why not */
    mechanism: string
  }
  command: string[]
  env: Record<string, string>
}

export interface ControlTarget {
  readonly kind: 'native' | 'compose'
  /** Every service with its health, which may mean probing each one (so a hung service slows it down). */
  ps(): Promise<ServiceStatus[]>
  /**
   * One service's process (running? pid? exit code? started when?) without asking any service
   * anything: answers at once even while a service hangs. The health-watcher's lookup after a failed probe.
   */
  processStatus(name: string): Promise<ProcessStatus>
  inspect(name: string): Promise<ServiceInspect>
  /** SIGTERM, then SIGKILL after `timeoutS` (default: the service's grace period); resolves once it is gone. */
  stop(name: string, options?: { timeoutS?: number }): Promise<void>
  /** Starts a stopped service; resolves once its process runs (not necessarily healthy). */
  start(name: string): Promise<void>
  restart(name: string, options?: { timeoutS?: number }): Promise<void>
  /** Sends a signal and returns at once. */
  kill(name: string, signal: NodeJS.Signals): Promise<void>
  /** The last `tail` log lines (stdout and stderr). */
  logs(name: string, options?: { tail?: number }): Promise<string[]>
  /** Calls `onLine` for each new log line until the signal aborts. */
  followLogs(name: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void>
}

export class ControlError extends Error {
  constructor(
    message: string,
    readonly code: 'UNKNOWN_SERVICE' | 'UNREACHABLE' | 'REFUSED' | 'FAILED',
  ) {
    super(message)
    this.name = 'ControlError'
  }
}

/** Where a running stack answers, for scenarios and tools that talk HTTP to it. */
export interface StackEndpoints {
  /** the public load balancer, e.g. http://127.0.0.1:8080 */
  loadBalancer: string
  /** canonical service name -> base URL reachable from this machine (probes, /metrics, /admin) */
  services: Record<string, string>
  /** Prometheus base URL, or null when the stack runs without it */
  prometheus: string | null
  /** bearer token of the services' /admin routes */
  adminToken: string
}
