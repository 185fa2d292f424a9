/**
 * The peer row: what a Fastify user assembles instead of the lifecycle, from the community
 * plugins for the same features as the "lifecycle, everything on" row, each configured as
 * its own documentation shows for production (docs/benchmarks.md lists them feature by
 * feature):
 *   request logging   Fastify's pino logger at info; PEER_LOG_LINES=2 is Fastify's default
 *                     ("incoming request" + "request completed"), 1 is its documented
 *                     alternative (disableRequestLogging + one line in an onResponse hook)
 *   request id        X-Request-Id when the client sends one (requestIdHeader), echoed back
 *   shedding          @fastify/under-pressure, the lifecycle's event-loop-delay threshold,
 *                     its status route as the readiness probe (/health/ready)
 *   metrics           prom-client wired by hand (default metrics, a duration histogram with
 *                     the lifecycle's buckets and a request counter by route and status, /metrics)
 *   circuit breaker   opossum around the route's work, with the lifecycle's breaker settings
 *   shutdown          close-with-grace (app.close() on SIGTERM/SIGINT, bounded)
 * Configured like the reader: PORT, HOST, SERVICE_NAME, READ_DELAY_MS, READ_CPU_MS, plus
 * PEER_LOG_LINES and SHED_MAX_EVENT_LOOP_DELAY_MS.
 */
import underPressure from '@fastify/under-pressure'
import { defaults, LATENCY_BUCKETS_S, loadConfigOrExit } from '@production-lab/lifecycle'
import { readerConfigSchema, readRoute } from '@production-lab/reader'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import CircuitBreaker from 'opossum'
import { Counter, collectDefaultMetrics, Histogram, register } from 'prom-client'

const config = loadConfigOrExit(readerConfigSchema)
const oneLine = process.env.PEER_LOG_LINES === '1'

const app = Fastify({
  logger: { level: 'info' },
  disableRequestLogging: oneLine,
  requestIdHeader: 'x-request-id',
  keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_S * 1000,
})

await app.register(underPressure, {
  maxEventLoopDelay: config.SHED_MAX_EVENT_LOOP_DELAY_MS,
  retryAfter: config.RETRY_AFTER_S,
  // Its readiness probe, as its README shows: 503 while under pressure.
  exposeStatusRoute: '/health/ready',
})

collectDefaultMetrics()
const labelNames = ['method', 'route', 'status_code'] as const
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Request duration by route and status.',
  labelNames,
  buckets: LATENCY_BUCKETS_S,
})
const requests = new Counter({
  name: 'http_requests_total',
  help: 'Requests by route and status.',
  labelNames,
})
app.addHook('onSend', async (request, reply) => {
  reply.header('x-request-id', request.id)
})
app.addHook('onResponse', async (request, reply) => {
  const labels = {
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    status_code: String(reply.statusCode),
  }
  duration.observe(labels, reply.elapsedTime / 1000)
  requests.inc(labels)
  // The lifecycle's access-line fields (the request id is bound to request.log as reqId).
  if (oneLine)
    request.log.info(
      {
        method: request.method,
        route: labels.route,
        url: request.url,
        statusCode: reply.statusCode,
        durationMs: reply.elapsedTime,
      },
      'request completed',
    )
})
app.get('/metrics', async (_request, reply) => {
  reply.header('content-type', register.contentType)
  return register.metrics()
})

const route = readRoute(config)
const breaker = new CircuitBreaker(route.handler, {
  timeout: defaults.breakerTimeoutMs,
  errorThresholdPercentage: defaults.breakerErrorThresholdPercent,
  volumeThreshold: defaults.breakerVolumeThreshold,
  resetTimeout: defaults.breakerResetTimeoutMs,
  rollingCountTimeout: defaults.breakerRollingWindowMs,
})
app.get('/read', { schema: route.schema }, (request) => breaker.fire(request))

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_S * 1000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'closing after an error')
  await app.close()
})
await app.listen({ host: config.HOST, port: config.PORT })
