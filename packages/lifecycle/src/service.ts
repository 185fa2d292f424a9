/**
 * createService(): a Fastify instance with the whole lifecycle wired in. It only
 * connects the modules beside it, in named steps (the parts, the HTTP app, the routes, the
 * shutdown, listening); each concern lives in its own file, as terminus keeps its
 * health-check and signal wiring apart.
 *
 *   root scope      /health, /health/live, /health/ready, /metrics, /admin/*   (never shed, drained or faulted)
 *   service scope   the app's own routes: drain gate -> admission bound -> shedding -> faults -> handler
 *
 * Every response passes one onResponse hook that records metrics and writes the
 * single access line.
 */
import type { FastifyInstance } from 'fastify'
import type { AcceptSockets } from './accept-sockets.js'
import { accessLineWriter } from './access-line.js'
import { registerAdmission } from './admission.js'
import { type BreakerSettings, Breakers, type ProtectedCall } from './breaker.js'
import type { BaseConfig } from './config.js'
import { ServiceError } from './errors.js'
import { Faults, registerAdminRoutes } from './faults.js'
import { registerHealthRoutes } from './health.js'
import { createHttpApp, registerErrorHandlers, registerRequestHooks } from './http-app.js'
import { listen } from './listen.js'
import { createLogger, type Logger } from './logger.js'
import { ServiceMetrics } from './metrics.js'
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

/** What every request passes through, built from the config before the HTTP app exists. */
interface ServiceParts<C extends BaseConfig> {
  context: ServiceContext<C>
  state: LifecycleState
  breakers: Breakers
  flushSync: () => void
  writeAccessLine: ReturnType<typeof accessLineWriter>
}

function createParts<C extends BaseConfig>(options: CreateServiceOptions<C>): ServiceParts<C> {
  const { config } = options
  const { logger, writeLine, flushSync } = createLogger({
    service: config.SERVICE_NAME,
    level: config.LOG_LEVEL,
    ...(options.logDestination && { destination: options.logDestination }),
  })
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
  return {
    context: {
      config,
      logger,
      metrics,
      faults,
      breaker: (name, call, breakerOptions) => breakers.create(name, call, breakerOptions),
    },
    state,
    breakers,
    flushSync,
    writeAccessLine: accessLineWriter({ service: config.SERVICE_NAME, logger, writeLine }),
  }
}

/** The root scope: probes, metrics and the admin API, never shed, drained or faulted. */
function registerRootRoutes<C extends BaseConfig>(
  app: FastifyInstance,
  { context, state, breakers }: ServiceParts<C>,
  underPressure: () => boolean,
): void {
  const { config, metrics, faults } = context
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
}

/**
 * The service scope: the app's own routes behind the drain gate, shedding and faults.
 * Returns whether the service is under pressure (for readiness).
 */
async function registerServiceScope<C extends BaseConfig>(
  app: FastifyInstance,
  { context, state }: ServiceParts<C>,
  routes: CreateServiceOptions<C>['routes'],
): Promise<() => boolean> {
  const { config, metrics, faults } = context
  let underPressure = () => false
  await app.register(async (scope) => {
    scope.addHook('onRequest', (_request, _reply, done) => {
      if (!state.draining) return done()
      done(new ServiceError('SHUTTING_DOWN', undefined, { retryAfterS: config.RETRY_AFTER_S }))
    })
    registerAdmission(
      scope,
      {
        maxInFlight: config.SHED_MAX_IN_FLIGHT,
        maxQueueMs: config.SHED_MAX_QUEUE_MS,
        retryAfterS: config.RETRY_AFTER_S,
      },
      metrics,
      state,
    )
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
    await routes(scope, context)
  })
  return () => underPressure()
}

export async function createService<C extends BaseConfig>(
  options: CreateServiceOptions<C>,
): Promise<Service<C>> {
  const { config } = options
  const parts = createParts(options)
  const { context, state, breakers, flushSync } = parts
  const app = createHttpApp(config, context.logger)
  registerRequestHooks(app, {
    config,
    state,
    metrics: context.metrics,
    writeAccessLine: parts.writeAccessLine,
  })
  registerErrorHandlers(app)
  let underPressure = () => false
  registerRootRoutes(app, parts, () => underPressure())
  underPressure = await registerServiceScope(app, parts, options.routes)
  app.addHook('onClose', async () => breakers.shutdown())

  let acceptSockets: AcceptSockets | undefined
  // app.close() without the shutdown sequence (tests, embedding) stops them too.
  app.addHook('preClose', async () => acceptSockets?.stopListening())

  const exit = options.exit ?? ((code: number) => process.exit(code))
  const shutdown = new Shutdown({
    app,
    state,
    logger: context.logger,
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
      const listening = await listen(app, { config, logger: context.logger, flushSync, exit })
      acceptSockets = listening.acceptSockets
      shutdown.installProcessHandlers()
      state.markReady()
      return listening.url
    },
    shutdown: () => shutdown.begin({ signal: 'SIGTERM' }),
  }
}
