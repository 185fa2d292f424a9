/**
 * Natively, nginx's upstream membership follows what the supervisor knows of the readers
 * (issue 15, docs/load-balancing.md). nginx OSS only notices a failure passively: a reader
 * SIGKILLed and restarted by the health-watcher stayed out of rotation for nginx's whole
 * fail_timeout although it was ready again, and a second kill in that window left nginx with
 * no live server (502s). The supervisor sees every process event first hand, so:
 *   - a reader's process stopping (a stop, the watcher's restart of a hung one) or exiting
 *     takes it out at once: the config is re-rendered with that server `down` and nginx
 *     reloaded (SIGHUP: new workers, old ones finish their requests);
 *   - a reader started again is put back the moment it answers its readiness probe, by the
 *     same reload, which also clears nginx's passive failure counts of every server.
 * Passive max_fails/fail_timeout stay as the fallback for what no process event says (a hang
 * before the watcher's verdict). Each change is one log line and counted (`snapshot()`,
 * served as metrics by the control API): which replica, why, when, and the milliseconds from
 * the verdict (the event, or the ready answer) to the reload signalled to nginx.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ManagedProcess, ProcessEvent } from './managed-process.js'
import { probeHealth } from './probe.js'

/** Timings of the follower, milliseconds. */
export const membershipDefaults = {
  /** between two readiness probes of a reader that was started: the "back within a second" bound */
  readyPollMs: 100,
  /** one readiness probe: a local service answers in about 1 ms */
  readyProbeTimeoutMs: 500,
  /** how long a started reader is followed until it is ready (the supervisor's own start bound) */
  readyFollowMs: 30_000,
} as const

export interface MembershipChange {
  replica: string
  /** true: back in rotation; false: marked `down` */
  member: boolean
  /** one word for the metrics' reason label: the process event's kind, or `ready` */
  reason: 'exited' | 'stopping' | 'stopped' | 'ready'
  why: string
  /** milliseconds since the epoch of the verdict (the process event, or the ready answer) */
  verdictAtMs: number
  /** milliseconds from the verdict to the reload signalled to nginx; null when nginx does not run */
  verdictToReloadMs: number | null
}

/** The membership log's JSON line for a change nginx acted on (read by prometheus/mtail/lb-membership.mtail). */
export function membershipLogLine(change: MembershipChange): string | null {
  if (change.verdictToReloadMs === null) return null
  return JSON.stringify({
    time: new Date(change.verdictAtMs).toISOString(),
    lb_membership: change.member ? 'in' : 'out',
    upstream: change.replica,
    reason: change.reason,
    verdict_to_reload_seconds: change.verdictToReloadMs / 1000,
  })
}

export interface MembershipSnapshot {
  /** replicas rendered `down` now */
  down: string[]
  /** changes per replica and direction (`in` / `out`) since the stack started */
  changes: Array<{ replica: string; direction: 'in' | 'out'; count: number }>
  /** reloads signalled to nginx, and the sum and last of their verdict-to-reload milliseconds */
  reloads: number
  verdictToReloadMsSum: number
  lastChange: MembershipChange | null
}

export class LbMembership {
  readonly #replicas: ReadonlySet<string>
  readonly #down = new Set<string>()
  readonly #counts = new Map<string, number>()
  #nginx: ManagedProcess | null = null
  #reloads = 0
  #verdictToReloadMsSum = 0
  #lastChange: MembershipChange | null = null
  #log: (change: MembershipChange) => void = () => {}

  constructor(replicas: readonly string[]) {
    this.#replicas = new Set(replicas)
  }

  /** The readers to render `down` (nginx's prepare() reads it on every start and reload). */
  get down(): ReadonlySet<string> {
    return this.#down
  }

  /** From here on changes re-render nginx's config (its spec's prepare) and reload it. */
  attach(nginx: ManagedProcess, log: (change: MembershipChange) => void): void {
    this.#nginx = nginx
    this.#log = log
  }

  /** Feeds one process event; a reader's start is followed until it is ready. */
  onEvent(event: ProcessEvent, process: ManagedProcess | undefined): void {
    if (!this.#replicas.has(event.name)) return
    if (event.kind === 'started') {
      if (process && event.pid !== null) void this.#followReady(process, event.pid)
      return
    }
    this.#set(event.name, false, event.kind, event.message, Date.now())
  }

  snapshot(): MembershipSnapshot {
    return {
      down: [...this.#down],
      changes: [...this.#counts].map(([key, count]) => {
        const [replica, direction] = key.split(' ') as [string, 'in' | 'out']
        return { replica, direction, count }
      }),
      reloads: this.#reloads,
      verdictToReloadMsSum: this.#verdictToReloadMsSum,
      lastChange: this.#lastChange,
    }
  }

  async #followReady(process: ManagedProcess, pid: number): Promise<void> {
    const spec = process.spec
    if (spec.url === null) return
    const deadline = Date.now() + membershipDefaults.readyFollowMs
    while (process.running && process.pid === pid && Date.now() < deadline) {
      const health = await probeHealth(
        { url: spec.url, readyPath: spec.readyPath, kind: spec.probe },
        membershipDefaults.readyProbeTimeoutMs,
      )
      if (health === 'healthy' && process.pid === pid && process.state === 'running') {
        this.#set(process.name, true, 'ready', `ready again (pid ${pid})`, Date.now())
        return
      }
      await sleep(membershipDefaults.readyPollMs)
    }
  }

  #set(
    replica: string,
    member: boolean,
    reason: MembershipChange['reason'],
    why: string,
    verdictAtMs: number,
  ): void {
    if (member !== this.#down.has(replica)) return
    if (member) this.#down.delete(replica)
    else this.#down.add(replica)
    const key = `${replica} ${member ? 'in' : 'out'}`
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1)
    const change = {
      replica,
      member,
      reason,
      why,
      verdictAtMs,
      verdictToReloadMs: this.#reload() ? Date.now() - verdictAtMs : null,
    }
    if (change.verdictToReloadMs !== null) {
      this.#reloads += 1
      this.#verdictToReloadMsSum += change.verdictToReloadMs
    }
    this.#lastChange = change
    this.#log(change)
  }

  /** Re-renders nginx's config and signals the reload; false when nginx does not run. */
  #reload(): boolean {
    const nginx = this.#nginx
    if (nginx?.state !== 'running') return false
    // prepare() renders synchronously for nginx (services.ts): the file is complete before the signal.
    void nginx.spec.prepare?.()
    nginx.kill('SIGHUP')
    return true
  }
}
