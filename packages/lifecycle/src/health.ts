/**
 * Probes, all read from the lifecycle state:
 * - GET /health        the lab guide's probe: 200 {"status":"ok"}, 503 {"status":"shutdown_in_progress"} once draining
 * - GET /health/live   200 while the process can serve, draining included (restart only when this fails)
 * - GET /health/ready  503 while starting, draining, shedding load or a required dependency's breaker is open
 */
import type { FastifyInstance } from 'fastify'
import type { LifecycleState } from './state.js'

export interface HealthSources {
  service: string
  state: LifecycleState
  /** Reasons the service should not get traffic now besides its lifecycle state, e.g. "overloaded". */
  notReadyReasons: () => string[]
}

export function registerHealthRoutes(
  app: FastifyInstance,
  { service, state, notReadyReasons }: HealthSources,
): void {
  app.get('/health', async (_request, reply) => {
    if (state.draining) return reply.code(503).send({ status: 'shutdown_in_progress', service })
    return { status: 'ok', service }
  })

  app.get('/health/live', async () => ({ status: 'alive', service, state: state.name }))

  app.get('/health/ready', async (_request, reply) => {
    const reasons = state.name === 'ready' ? notReadyReasons() : [state.name]
    if (reasons.length > 0) return reply.code(503).send({ status: 'not_ready', service, reasons })
    return { status: 'ready', service }
  })
}
