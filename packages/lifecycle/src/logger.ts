/**
 * pino, in the lab guide's JSON shape: `{"level":"INFO","message":"...","service":...}`.
 * Lines go to stdout, synchronously on a file or /dev/null and asynchronously on a pipe
 * or socket (log-destination.ts says why); `flushSync()` must run before the process exits.
 *
 * Pre-built lines (the access line) go through `writeLine`, which batches them into one
 * write per event-loop turn: sonic-boom measures the byte length of its whole pending
 * buffer on every write, so one write per line grows in cost with the lines waiting
 * behind a write in flight. Any pino line first takes the batch along, so lines keep
 * the order they were logged in.
 */
import { type Logger, pino } from 'pino'
import { defaults } from './defaults.js'
import { stdoutDestination } from './log-destination.js'

export type { Logger } from 'pino'

export interface LoggerHandle {
  logger: Logger
  /** Writes one complete line (ending in "\n"), in order with pino's lines, by the next event-loop turn. */
  writeLine(line: string): void
  /** Writes out anything still buffered; call before process.exit. */
  flushSync(): void
}

export function createLogger(options: {
  service: string
  level: string
  destination?: NodeJS.WritableStream
}): LoggerHandle {
  const destination = options.destination ?? stdoutDestination()
  let batch = ''
  const writeBatch = () => {
    if (batch === '') return
    const lines = batch
    batch = ''
    destination.write(lines)
  }
  const flushSync = () => {
    const sonic = destination as { flushSync?: () => void }
    try {
      writeBatch()
      sonic.flushSync?.()
    } catch {
      // Nothing buffered, or stdout already closed: there is nothing left to save.
    }
  }
  // A process.exit() that skipped the shutdown sequence still writes the last batch out
  // (pino's own exit hook only flushes what reached its destination).
  if (!options.destination) process.once('exit', flushSync)
  const logger = pino(
    {
      level: options.level,
      messageKey: 'message',
      errorKey: 'error',
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      hooks: {
        streamWrite(line) {
          if (batch === '') return line
          const lines = batch + line
          batch = ''
          return lines
        },
      },
    },
    destination,
  )
  return {
    logger,
    writeLine(line) {
      if (batch === '') setImmediate(writeBatch)
      batch += line
      // A loop that never yields (a burst of in-process requests) still writes as it goes.
      if (batch.length >= defaults.logBatchMaxChars) writeBatch()
    },
    flushSync,
  }
}
