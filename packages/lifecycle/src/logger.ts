/**
 * pino, in the lab guide's JSON shape: `{"level":"INFO","message":"...","service":...}`.
 * Lines go to stdout through an asynchronous destination (a synchronous write per
 * line costs throughput); `flushSync()` must run before the process exits.
 */
import { type Logger, pino } from 'pino'

export type { Logger } from 'pino'

export interface LoggerHandle {
  logger: Logger
  /** Writes out anything still buffered; call before process.exit. */
  flushSync(): void
}

export function createLogger(options: {
  service: string
  level: string
  destination?: NodeJS.WritableStream
}): LoggerHandle {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false })
  const logger = pino(
    {
      level: options.level,
      messageKey: 'message',
      errorKey: 'error',
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    destination,
  )
  return {
    logger,
    flushSync() {
      const sonic = destination as { flushSync?: () => void }
      try {
        sonic.flushSync?.()
      } catch {
        // Nothing buffered, or stdout already closed: there is nothing left to save.
      }
    },
  }
}
