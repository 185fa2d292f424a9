/**
 * A service's log lines as the scenarios read them: the guide's JSON shape
 * ({"level":"INFO","time":"...","message":"..."}), followed live through the control
 * interface while a scenario acts, with the recent tail as a fallback.
 */
import type { ScenarioContext } from './types.js'

export interface LogEntry {
  message: string
  /** epoch milliseconds from the line's own `time` field */
  atMs: number
  raw: string
}

/** The guide's two shutdown lines (signal 15 = SIGTERM). */
export const SHUTDOWN_STARTED_LINE = 'Received signal 15. Starting graceful shutdown...'
export const SHUTDOWN_COMPLETE_LINE = 'Graceful shutdown complete. Exiting.'

export function parseLogLine(raw: string): LogEntry | undefined {
  try {
    const parsed = JSON.parse(raw) as { message?: unknown; time?: unknown }
    const atMs = typeof parsed.time === 'string' ? Date.parse(parsed.time) : Number.NaN
    if (typeof parsed.message !== 'string' || Number.isNaN(atMs)) return undefined
    return { message: parsed.message, atMs, raw }
  } catch {
    return undefined
  }
}

export interface LogFollower {
  /** the first line with `message` logged at or after `sinceMs`, from the followed lines or the recent tail */
  find(message: string, sinceMs: number): Promise<LogEntry | undefined>
  stop(): Promise<void>
}

/** Starts following `name`'s log; call stop() when done. */
export function followServiceLog(context: ScenarioContext, name: string): LogFollower {
  const entries: LogEntry[] = []
  const controller = new AbortController()
  let followError: unknown
  const following = context.target
    .followLogs(
      name,
      (line) => {
        const entry = parseLogLine(line)
        if (entry) entries.push(entry)
      },
      controller.signal,
    )
    .catch((error: unknown) => {
      followError = error
    })
  const match = (list: LogEntry[], message: string, sinceMs: number) =>
    list.find((entry) => entry.message === message && entry.atMs >= sinceMs)
  return {
    async find(message, sinceMs) {
      const followed = match(entries, message, sinceMs)
      if (followed) return followed
      // The follow stream may have started a moment late (or failed): the recent tail has the same lines.
      const tail = (await context.target.logs(name, { tail: 500 }))
        .map(parseLogLine)
        .filter((e) => e !== undefined)
      const found = match(tail, message, sinceMs)
      if (!found && followError)
        throw new Error(`following the logs of ${name} failed: ${(followError as Error).message}`)
      return found
    },
    async stop() {
      controller.abort()
      await following
    },
  }
}
