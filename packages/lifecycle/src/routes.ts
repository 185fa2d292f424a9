import type { FastifyInstance, HTTPMethods } from 'fastify'
import { ServiceError } from './errors.js'

const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Answers 405 with an Allow header for the methods a path does not serve. Registered in
 * the service scope, so while draining these get the same 503 as the real route (the
 * lab guide probes `curl -i .../write`, a GET, during shutdown).
 */
export function rejectOtherMethods(scope: FastifyInstance, url: string, allowed: HTTPMethods[]): void {
  const others = ALL_METHODS.filter(
    (method) => !allowed.includes(method) && !(method === 'HEAD' && allowed.includes('GET')),
  )
  scope.route({
    method: others,
    url,
    handler: async (request, reply) => {
      reply.header('allow', allowed.join(', '))
      throw new ServiceError(
        'METHOD_NOT_ALLOWED',
        `${request.method} is not allowed on ${url}; use ${allowed.join(', ')}`,
      )
    },
  })
}
