/**
 * Acting on a service only from a settled state. A control plane refuses verbs while a state
 * change is under way: podman answers a start during a stop with "container state improper",
 * Docker with 409, and the health-watcher may be stopping or restarting the very service a
 * caller wants running. So a caller that wants a service running first waits, bounded, until
 * its state stops moving (polling the control plane's own record, which probes nothing), then
 * starts it only if it is not running; a start the state raced past is retried once. On
 * timeout the error names the state it kept seeing, in the control plane's own word.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ControlError, type ControlTarget, type ProcessStatus, type RunState } from './target.js'

/** States that change by themselves (a start or stop under way). */
export const TRANSITIONAL_STATES: readonly RunState[] = ['starting', 'stopping']

export interface SettleOptions {
  /** milliseconds to wait for the state to settle: above the longest stop grace period plus a start */
  timeoutMs: number
  /** milliseconds between two looks */
  intervalMs?: number
  signal?: AbortSignal
}

/** "stopping", or "stopping (Engine state: removing)" when the control plane used another word. */
export function describeRunState(status: Pick<ProcessStatus, 'state' | 'controlState'>): string {
  return status.controlState && status.controlState !== status.state
    ? `${status.state} (control plane: ${status.controlState})`
    : status.state
}

/** The service's process status once it is in a settled state (running, stopped, exited, paused). */
export async function waitSettled(
  target: ControlTarget,
  name: string,
  options: SettleOptions,
): Promise<ProcessStatus> {
  const deadline = performance.now() + options.timeoutMs
  for (;;) {
    const status = await target.processStatus(name)
    if (!TRANSITIONAL_STATES.includes(status.state)) return status
    if (performance.now() >= deadline)
      throw new ControlError(
        `${name} did not settle within ${(options.timeoutMs / 1000).toFixed(0)} s: still ${describeRunState(status)}`,
        'FAILED',
      )
    await sleep(options.intervalMs ?? 200, undefined, options.signal ? { signal: options.signal } : {})
  }
}

/**
 * Leaves `name` running: waits until its state settles, then starts it unless it runs already
 * (someone else, e.g. the health-watcher, may have started it meanwhile). A start refused
 * because the state moved again, or because the control plane is still cleaning up after the
 * exit (podman: "is running or paused, refusing to clean up"), is tried again until the
 * deadline; then the error names the last refusal. Returns what it did.
 */
export async function startWhenSettled(
  target: ControlTarget,
  name: string,
  options: SettleOptions,
): Promise<'was running' | 'started'> {
  const deadline = performance.now() + options.timeoutMs
  for (;;) {
    const remainingMs = Math.max(0, deadline - performance.now())
    const status = await waitSettled(target, name, { ...options, timeoutMs: remainingMs })
    if (status.state === 'running') return 'was running'
    if (status.state === 'paused')
      throw new ControlError(
        `${name} is paused, which a start does not undo: unpause it (docker unpause ${name})`,
        'REFUSED',
      )
    try {
      await target.start(name)
      return 'started'
    } catch (error) {
      if (!(error instanceof ControlError && error.code === 'REFUSED')) throw error
      if (performance.now() >= deadline)
        throw new ControlError(
          `${name} could not be started within ${(options.timeoutMs / 1000).toFixed(0)} s (${describeRunState(status)}): ${error.message}`,
          'REFUSED',
        )
    }
    await sleep(options.intervalMs ?? 200, undefined, options.signal ? { signal: options.signal } : {})
  }
}
