/**
 * createService(): a Fastify instance with the whole lifecycle wired in. It only
 * connects the modules beside it; each concern lives in its own file.
 *
 *   root scope      /health, /health/live, /health/ready, /metrics, /admin/*   (never shed, drained or faulted)
 *   service scope   the app's own routes: drain gate -> shedding -> faults -> handler
 *
 * Every response passes one onResponse hook that records metrics and writes the
 * single access line.
 */
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { type AcceptSockets, assertPortFree, listenExtraAcceptSockets } from './accept-sockets.js'
import { accessLineWriter } from './access-line.js'
import { type BreakerSettings, Breakers, type ProtectedCall } from './breaker.js'
import type { BaseConfig } from './config.js'
import { clientErrorResponse, ServiceError, toServiceError } from './errors.js'
import { Faults, registerAdminRoutes } from './faults.js'
import { registerHealthRoutes } from './health.js'
import { createLogger, type Logger } from './logger.js'
import { ServiceMetrics, UNMATCHED_ROUTE } from './metrics.js'
import { lazyChildLogger } from './request-logger.js'
import { registerShedding } from './shedding.js'
import { Shutdown } from './shutdown.js'
import { LifecycleState } from './state.js'

export interface ServiceContext<C extends BaseConfig = BaseConfig> {
  config: C
  logger: Logger
  metrics: ServiceMetrics
  faults: Faults
  /** Wraps an outbound dependency call in a circuit breaker. */
  breaker<A extends unknown[], R>(
    name: string,
    call: (...args: A) => Promise<R>,
    options?: { required?: boolean } & Partial<BreakerSettings>,
  ): ProtectedCall<A, R>
}

export interface CreateServiceOptions<C extends BaseConfig> {
  config: C
  /** Registers the service's own routes; they get draining, shedding and faults. */
  routes: (scope: FastifyInstance, context: ServiceContext<C>) => void | Promise<void>
  /** Where log lines go; stdout by default. */
  logDestination?: NodeJS.WritableStream
  /** How the process exits at the end of shutdown; process.exit by default. */
  exit?: (code: number) => void
}

export interface Service<C extends BaseConfig = BaseConfig> extends ServiceContext<C> {
  app: FastifyInstance
  state: LifecycleState
  /** Listens on HOST:PORT, installs the signal handlers and marks the service ready. Returns the URL. */
  start(): Promise<string>
  /** Starts the graceful shutdown sequence, as SIGTERM does. */
  shutdown(): Promise<void>
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

export async function createService<C extends BaseConfig>(
  options: CreateServiceOptions<C>,
): Promise<Service<C>> {
  const { config } = options
  const { logger, writeLine, flushSync } = createLogger({
    service: config.SERVICE_NAME,
    level: config.LOG_LEVEL,
    ...(options.logDestination && { destination: options.logDestination }),
  })
  const writeAccessLine = accessLineWriter({ service: config.SERVICE_NAME, logger, writeLine })
  const state = new LifecycleState()
  const metrics = new ServiceMetrics({
    service: config.SERVICE_NAME,
    state,
    cpuLimitCores: config.CPU_LIMIT_CORES,
    memoryLimitBytes: config.MEMORY_LIMIT_BYTES,
  })
  const faults = new Faults()
  const breakers = new Breakers(
    {
      timeoutMs: config.BREAKER_TIMEOUT_MS,
      errorThresholdPercent: config.BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
      rollingWindowMs: config.BREAKER_ROLLING_WINDOW_MS,
    },
    metrics,
    logger,
  )

  const app = Fastify({
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

  // The per-request hooks are callback-style and synchronous: an async hook costs a
  // promise and a microtask per request for work that never waits.
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

  let underPressure = () => false
  registerHealthRoutes(app, {
    service: config.SERVICE_NAME,
    state,
    notReadyReasons: () => [
      ...(underPressure() ? ['overloaded'] : []),
      ...breakers.openRequired().map((name) => `dependency ${name} unavailable`),
    ],
  })
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType)
    return metrics.registry.metrics()
  })
  if (config.ADMIN_TOKEN) registerAdminRoutes(app, faults, config.ADMIN_TOKEN)

  const context: ServiceContext<C> = {
    config,
    logger,
    metrics,
    faults,
    breaker: (name, call, breakerOptions) => breakers.create(name, call, breakerOptions),
  }

  await app.register(async (scope) => {
    scope.addHook('onRequest', (_request, _reply, done) => {
      if (!state.draining) return done()
      done(new ServiceError('SHUTTING_DOWN', undefined, { retryAfterS: config.RETRY_AFTER_S }))
    })
    underPressure = await registerShedding(
      scope,
      {
        maxEventLoopDelayMs: config.SHED_MAX_EVENT_LOOP_DELAY_MS,
        maxHeapUsedBytes: config.SHED_MAX_HEAP_USED_BYTES,
        maxRssBytes: config.SHED_MAX_RSS_BYTES,
        maxEventLoopUtilization: config.SHED_MAX_EVENT_LOOP_UTILIZATION,
        sampleIntervalMs: config.SHED_SAMPLE_INTERVAL_MS,
        retryAfterS: config.RETRY_AFTER_S,
      },
      metrics,
      state,
    )
    scope.addHook('preHandler', (_request, _reply, done) => {
      if (!faults.any) return done()
      faults.applyToRequest().then(() => done(), done)
    })
    await options.routes(scope, context)
  })
  app.addHook('onClose', async () => breakers.shutdown())

  let acceptSockets: AcceptSockets | undefined
  // app.close() without the shutdown sequence (tests, embedding) stops them too.
  app.addHook('preClose', async () => acceptSockets?.stopListening())

  const exit = options.exit ?? ((code: number) => process.exit(code))
  const shutdown = new Shutdown({
    app,
    state,
    logger,
    flushLogs: flushSync,
    delayMs: config.GRACEFUL_SHUTDOWN_DELAY_S * 1000,
    timeoutMs: config.SHUTDOWN_TIMEOUT_S * 1000,
    exit,
    stopAccepting: () => acceptSockets?.stopListening(),
  })

  return {
    ...context,
    app,
    state,
    async start() {
      let url: string
      try {
        const extra = config.ACCEPT_SOCKETS - 1
        if (extra > 0 && config.PORT !== 0) await assertPortFree(config.HOST, config.PORT)
        // Fastify hands these options to net.Server#listen, which knows reusePort (Node >= 22.12).
        const listenOptions = {
          host: config.HOST,
          port: config.PORT,
          reusePort: extra > 0,
          listenTextResolver: (address: string) => `${config.SERVICE_NAME} ready on ${address}`,
        }
        url = await app.listen(listenOptions)
        if (extra > 0) {
          // Port 0 (tests) picked a free port: the extra sockets join that one.
          const { port } = app.server.address() as AddressInfo
          acceptSockets = await listenExtraAcceptSockets(app.server, { host: config.HOST, port, extra })
        }
      } catch (error) {
        // Nothing listens, so there is nothing to drain: say why and stop at once.
        const hint =
          (error as NodeJS.ErrnoException).code === 'ENOTSUP'
            ? ` (ACCEPT_SOCKETS=${config.ACCEPT_SOCKETS} needs SO_REUSEPORT, which this platform lacks: set ACCEPT_SOCKETS=1)`
            : ''
        logger.fatal(
          { error },
          `Cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}${hint}`,
        )
        flushSync()
        exit(1)
        throw error
      }
      shutdown.installProcessHandlers()
      state.markReady()
      return url
    },
    shutdown: () => shutdown.begin({ signal: 'SIGTERM' }),
  }
}
