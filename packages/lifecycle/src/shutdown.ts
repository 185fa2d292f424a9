/**
 * The shutdown sequence, the only writer of the "draining" state:
 *
 *   signal -> log "Received signal N. Starting graceful shutdown..."
 *          -> draining: /health and readiness 503, new requests 503 + Retry-After + Connection: close
 *          -> wait GRACEFUL_SHUTDOWN_DELAY_S (the load balancer notices) and for in-flight requests
 *          -> stop listening, close idle and request-less sockets, run onClose hooks (cleanup)
 *          -> log "Graceful shutdown complete. Exiting." -> exit 0
 *
 * SHUTDOWN_TIMEOUT_S bounds it all: when it fires, what is still in flight is logged and
 * cut, and the exit code is 1. A second signal exits at once (128 + signal number).
 * An uncaught exception or unhandled rejection is logged and takes the same path, exit 1.
 */
import { constants } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { LifecycleState } from './state.js'

export type ShutdownTrigger = { signal: NodeJS.Signals } | { error: unknown; origin: string }

export interface ShutdownOptions {
  app: FastifyInstance
  state: LifecycleState
  logger: Logger
  flushLogs: () => void
  /** milliseconds */
  delayMs: number
  /** milliseconds */
  timeoutMs: number
  exit: (code: number) => void
  /** stops the listening sockets besides the HTTP server's own (see accept-sockets.ts) */
  stopAccepting?: () => void
}

export const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']

export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal]
}

/**
 * Stops accepting connections (on every listening socket, see accept-sockets.ts) and closes
 * the remaining ones once they carry no request.
 * server.close() (Node >= 19) closes idle keep-alive sockets itself; a request that
 * arrived on a busy connection meanwhile still gets its answer (a 503 while draining).
 * What is left after that holds no request: a client that connected and sent nothing,
 * or stopped halfway through its headers. Node counts those as active, and they would
 * keep close() waiting until its request timeout, so they are cut.
 */
async function stopListening(
  app: FastifyInstance,
  state: LifecycleState,
  stopAccepting: () => void,
): Promise<void> {
  const closed = new Promise<void>((resolve) => app.server.close(() => resolve()))
  stopAccepting()
  await state.whenIdle()
  app.server.closeAllConnections()
  await closed
}

export class Shutdown {
  readonly #options: ShutdownOptions
  #running: Promise<void> | undefined
  readonly #onSignal = (signal: NodeJS.Signals) => void this.begin({ signal })
  readonly #onUncaught = (error: unknown, origin: string) => void this.begin({ error, origin })
  readonly #onUnhandled = (error: unknown) => void this.begin({ error, origin: 'unhandledRejection' })

  constructor(options: ShutdownOptions) {
    this.#options = options
  }

  get started(): boolean {
    return this.#running !== undefined
  }

  installProcessHandlers(): void {
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, this.#onSignal)
    process.on('uncaughtException', this.#onUncaught)
    process.on('unhandledRejection', this.#onUnhandled)
  }

  removeProcessHandlers(): void {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, this.#onSignal)
    process.off('uncaughtException', this.#onUncaught)
    process.off('unhandledRejection', this.#onUnhandled)
  }

  /** Starts the sequence; a second call (a second signal) exits at once. */
  begin(trigger: ShutdownTrigger): Promise<void> {
    if (this.#running) {
      this.#exitNow(trigger)
      return this.#running
    }
    this.#running = this.#run(trigger)
    return this.#running
  }

  #exitNow(trigger: ShutdownTrigger): void {
    const { logger, state, flushLogs, exit } = this.#options
    if ('signal' in trigger) {
      const n = signalNumber(trigger.signal)
      logger.warn(
        { signal: trigger.signal, inFlight: state.inFlightSummary() },
        `Received signal ${n} again. Exiting now without finishing the shutdown.`,
      )
      flushLogs()
      exit(128 + n)
    } else {
      logger.fatal({ error: trigger.error, origin: trigger.origin }, 'Error during shutdown. Exiting now.')
      flushLogs()
      exit(1)
    }
  }

  async #run(trigger: ShutdownTrigger): Promise<void> {
    const { app, state, logger, flushLogs, delayMs, timeoutMs, exit } = this.#options
    const failed = 'error' in trigger
    if ('signal' in trigger) {
      logger.info(
        { signal: trigger.signal },
        `Received signal ${signalNumber(trigger.signal)}. Starting graceful shutdown...`,
      )
    } else {
      logger.fatal(
        { error: trigger.error, origin: trigger.origin },
        `${trigger.origin}. Starting graceful shutdown...`,
      )
    }
    state.beginDrain()
    const hardStop = setTimeout(() => {
      const cut = state.inFlightSummary()
      logger.error(
        { inFlight: cut, timeoutMs },
        `Shutdown timed out after ${timeoutMs / 1000} s: cutting ${cut.length} request(s) still in flight. Exiting.`,
      )
      app.server.closeAllConnections()
      flushLogs()
      exit(1)
    }, timeoutMs)
    try {
      await sleep(delayMs)
      if (state.inFlightCount > 0)
        logger.info({ inFlight: state.inFlightCount }, 'Waiting for in-flight requests')
      await state.whenIdle()
      await stopListening(app, state, this.#options.stopAccepting ?? (() => {}))
      await app.close()
    } catch (error) {
      logger.error({ error }, 'Error while shutting down')
      clearTimeout(hardStop)
      flushLogs()
      exit(1)
      return
    }
    clearTimeout(hardStop)
    logger.info('Graceful shutdown complete. Exiting.')
    flushLogs()
    exit(failed ? 1 : 0)
  }
}
