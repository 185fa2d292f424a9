/**
 * Run-time faults for the lab, set per instance through the admin surface:
 * extra latency, an error rate, extra CPU work per request, a dependency failure rate,
 * and a one-off event-loop block (a hung process). They apply to the service's own
 * routes only: probes, metrics and admin are never faulted.
 */

import { createHash, timingSafeEqual } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Static, Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { ServiceError } from './errors.js'
import { blockEventLoop, burnCpu } from './workload.js'

export const faultsBodySchema = Type.Object(
  {
    latencyMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 120_000, description: 'extra wait per request, ms' }),
    ),
    errorRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'share of requests answered 500' }),
    ),
    cpuMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10_000, description: 'extra CPU time per request, ms' }),
    ),
    dependencyFailureRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'share of dependency calls that fail' }),
    ),
    blockEventLoopMs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 600_000, description: 'block the event loop once, ms (a hang)' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)

export type FaultsUpdate = Static<typeof faultsBodySchema>

export interface ActiveFaults {
  latencyMs: number
  errorRate: number
  cpuMs: number
  dependencyFailureRate: number
}

const NO_FAULTS: ActiveFaults = { latencyMs: 0, errorRate: 0, cpuMs: 0, dependencyFailureRate: 0 }

export class Faults {
  #active: ActiveFaults = { ...NO_FAULTS }
  readonly #random: () => number

  constructor(random: () => number = Math.random) {
    this.#random = random
  }

  get active(): ActiveFaults {
    return { ...this.#active }
  }

  get any(): boolean {
    const a = this.#active
    return a.latencyMs > 0 || a.errorRate > 0 || a.cpuMs > 0 || a.dependencyFailureRate > 0
  }

  set(update: Omit<FaultsUpdate, 'blockEventLoopMs'>): ActiveFaults {
    this.#active = { ...this.#active, ...update }
    return this.active
  }

  clear(): void {
    this.#active = { ...NO_FAULTS }
  }

  /** True when this dependency call should fail (decided per call from the failure rate). */
  dependencyShouldFail(): boolean {
    const rate = this.#active.dependencyFailureRate
    return rate > 0 && this.#random() < rate
  }

  /** Applies latency, CPU and error faults to one request of the service's own routes. */
  async applyToRequest(): Promise<void> {
    const { latencyMs, cpuMs, errorRate } = this.#active
    if (cpuMs > 0) burnCpu(cpuMs)
    if (latencyMs > 0) await sleep(latencyMs)
    if (errorRate > 0 && this.#random() < errorRate) throw new ServiceError('INJECTED_FAULT')
  }
}

/**
 * GET/PUT/DELETE /admin/faults, behind `Authorization: Bearer <ADMIN_TOKEN>`.
 * The public load balancer never routes /admin; the token guards against anything
 * else on the network that can reach the port.
 */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

export function registerAdminRoutes(app: FastifyInstance, faults: Faults, token: string): void {
  const expected = digest(`Bearer ${token}`)
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request) => {
        // Compared in constant time (of equal-length digests) so response timing does not leak the token.
        const given = digest(request.headers.authorization ?? '')
        if (!timingSafeEqual(given, expected)) throw new ServiceError('UNAUTHORIZED')
      })
      admin.get('/faults', async () => faults.active)
      admin.put<{ Body: FaultsUpdate }>(
        '/faults',
        { schema: { body: faultsBodySchema } },
        async (request, reply) => {
          const { blockEventLoopMs, ...update } = request.body
          const active = faults.set(update)
          request.log.warn({ faults: active, blockEventLoopMs }, 'Faults updated')
          if (blockEventLoopMs !== undefined) {
            // After the answer is written, so the caller learns the hang has begun.
            reply.raw.once('finish', () => setTimeout(() => blockEventLoop(blockEventLoopMs), 5))
          }
          return { ...active, ...(blockEventLoopMs !== undefined && { blockEventLoopMs }) }
        },
      )
      admin.delete('/faults', async (request) => {
        faults.clear()
        request.log.warn('Faults cleared')
        return faults.active
      })
    },
    { prefix: '/admin' },
  )
}
