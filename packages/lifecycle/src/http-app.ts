/**
 * The Fastify instance a service runs on, and what every request passes through whatever
 * its scope: the request id, the lifecycle's request count, the drain's `Connection: close`,
 * Retry-After on 503s, one metrics observation and one access line per response, and the
 * error registry's JSON bodies.
 */
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { accessLineWriter } from './access-line.js'
import type { BaseConfig } from './config.js'
import { defaults } from './defaults.js'
import { clientErrorResponse, toServiceError } from './errors.js'
import type { Logger } from './logger.js'
import { type ServiceMetrics, UNMATCHED_ROUTE } from './metrics.js'
import { lazyChildLogger } from './request-logger.js'
import type { LifecycleState } from './state.js'

const REQUEST_ID = /^[\w.:-]{1,128}$/

export function createHttpApp(config: BaseConfig, logger: Logger): FastifyInstance {
  return Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by the one access line below.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    childLoggerFactory: lazyChildLogger,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id']
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
    },
    bodyLimit: config.BODY_LIMIT_BYTES,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_S * 1000,
    // Slow clients (slowloris): a request head or body trickled in is cut off with a 408
    // within its bound plus one check interval (defaults.ts says why each number).
    requestTimeout: config.REQUEST_TIMEOUT_S * 1000,
    connectionTimeout: config.CONNECTION_TIMEOUT_S * 1000,
    http: {
      headersTimeout: config.HEADERS_TIMEOUT_S * 1000,
      connectionsCheckingInterval: defaults.connectionsCheckingIntervalMs,
    },
    // The drain gate answers 503 with Retry-After and the registry body; Fastify's own
    // closing 503 has neither.
    return503OnClosing: false,
    // Strict bodies: a string where a number belongs is a 400, and unknown fields are refused, not dropped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      // A reset connection has no one left to answer.
      if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy()
      const requestId = randomUUID()
      logger.info({ requestId, code: error.code, reason: error.message }, 'Refused a malformed HTTP request')
      socket.end(clientErrorResponse(error, requestId))
    },
  })
}

export interface RequestHookParts {
  config: BaseConfig
  state: LifecycleState
  metrics: ServiceMetrics
  writeAccessLine: ReturnType<typeof accessLineWriter>
}

/**
 * The per-request hooks are callback-style and synchronous: an async hook costs a
 * promise and a microtask per request for work that never waits.
 */
export function registerRequestHooks(
  app: FastifyInstance,
  { config, state, metrics, writeAccessLine }: RequestHookParts,
): void {
  app.addHook('onRequest', (request, reply, done) => {
    state.requestStarted(request)
    reply.raw.once('close', () => state.requestFinished(request))
    done()
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    // While draining, every answer closes its connection so clients and proxies reconnect elsewhere.
    if (state.draining) reply.header('connection', 'close')
    // Every 503 (probes included) says when to come back; errors that know better set their own.
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after'))
      reply.header('retry-after', config.RETRY_AFTER_S)
    done(null, payload)
  })
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE
    const durationMs = reply.elapsedTime
    metrics.observeRequest(request.method, route, reply.statusCode, durationMs / 1000)
    if (config.LOG_REQUESTS) {
      writeAccessLine({
        requestId: request.id,
        method: request.method,
        route,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs,
      })
    }
    done()
  })
}

/** Every error and every unknown route answers with the error registry's JSON body. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const serviceError = toServiceError(error)
    if (serviceError.code === 'INTERNAL') request.log.error({ error }, 'Unhandled error')
    if (serviceError.retryAfterS !== undefined) reply.header('retry-after', serviceError.retryAfterS)
    return reply
      .code(serviceError.statusCode)
      .send({ error: serviceError.code, message: serviceError.message, requestId: request.id })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: 'NOT_FOUND',
      message: `Route ${request.method} ${request.url.split('?')[0]} not found`,
      requestId: request.id,
    })
  })
}
