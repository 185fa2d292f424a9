/** Bounded waiting for a condition, with an error that says what never happened. */
import { setTimeout as sleep } from 'node:timers/promises'

export interface WaitOptions {
  /** milliseconds */
  timeoutMs: number
  /** milliseconds between tries */
  intervalMs?: number
  signal?: AbortSignal
  /** what the last look saw, for the timeout's message (e.g. "app_slow stopping") */
  seen?: () => string | undefined
}

/** Calls `probe` until it returns a value other than undefined; returns that value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs
  let lastError: unknown
  const interrupted = () => new Error(`interrupted while waiting for ${what}`)
  for (;;) {
    if (options.signal?.aborted) throw interrupted()
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    if (performance.now() >= deadline) {
      const seen = options.seen?.()
      const why = [seen && `last seen: ${seen}`, lastError && `last error: ${(lastError as Error).message}`]
        .filter(Boolean)
        .join('; ')
      throw new Error(
        `timed out after ${(options.timeoutMs / 1000).toFixed(0)} s waiting for ${what}${why ? ` (${why})` : ''}`,
      )
    }
    try {
      await sleep(options.intervalMs ?? 250, undefined, options.signal ? { signal: options.signal } : {})
    } catch {
      throw interrupted()
    }
  }
}
