/**
 * request.log without a pino child per request. Fastify makes one for every request (a
 * few microseconds: the bindings are serialised up front), yet most requests never log:
 * the access line is written without it. This stand-in makes the child, with the same
 * bindings (the request id) and options, the first time a handler or hook logs.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'pino'
import type { Logger } from './logger.js'

type LogArgs = Parameters<Logger['info']>

class LazyChildLogger {
  readonly #parent: FastifyBaseLogger
  readonly #bindings: Bindings
  readonly #options: ChildLoggerOptions
  #child: FastifyBaseLogger | undefined

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  get #logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }

  get level(): string {
    return this.#logger.level
  }

  set level(level: string) {
    this.#logger.level = level
  }

  fatal(...args: LogArgs): void {
    this.#logger.fatal(...args)
  }
  error(...args: LogArgs): void {
    this.#logger.error(...args)
  }
  warn(...args: LogArgs): void {
    this.#logger.warn(...args)
  }
  info(...args: LogArgs): void {
    this.#logger.info(...args)
  }
  debug(...args: LogArgs): void {
    this.#logger.debug(...args)
  }
  trace(...args: LogArgs): void {
    this.#logger.trace(...args)
  }
  silent(...args: LogArgs): void {
    this.#logger.silent(...args)
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options)
  }
}

/** Fastify's `childLoggerFactory`: request.log, created when first used. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options)
}
