/** The fast replica: GET /read simulates a replica read (I/O wait plus optional CPU work). */

import {
  type CreateServiceOptions,
  createService,
  rejectOtherMethods,
  type Service,
  serviceConfigSchema,
  simulateWork,
} from '@production-lab/lifecycle'
import { READERS } from '@production-lab/stack'
import { type Static, Type } from '@sinclair/typebox'

const FIRST_READER = READERS[0] as (typeof READERS)[0]

export const readerConfigSchema = serviceConfigSchema(
  {
    READ_DELAY_MS: Type.Number({
      minimum: 0,
      maximum: 60_000,
      default: 5,
      description: 'I/O wait per read, ms',
    }),
    READ_CPU_MS: Type.Number({
      minimum: 0,
      maximum: 10_000,
      default: 0,
      description: 'CPU time per read, ms',
    }),
  },
  // The topology's first reader at offset 0: its SERVICE_NAME and port when run alone.
  { SERVICE_NAME: FIRST_READER.serviceName, PORT: FIRST_READER.basePort },
)
export type ReaderConfig = Static<typeof readerConfigSchema>

/**
 * GET /read's schema and handler. The benchmark's baseline fixtures serve this very route
 * (its response serialisation and simulated work are part of what it measures).
 */
export function readRoute(config: ReaderConfig) {
  const work = { delayMs: config.READ_DELAY_MS, cpuMs: config.READ_CPU_MS }
  return {
    schema: {
      response: {
        200: Type.Object({ service: Type.String(), servedAt: Type.String(), delayMs: Type.Number() }),
      },
    },
    handler: async () => {
      await simulateWork(work)
      return {
        service: config.SERVICE_NAME,
        servedAt: new Date().toISOString(),
        delayMs: config.READ_DELAY_MS,
      }
    },
  }
}

export async function buildApp(
  config: ReaderConfig,
  options: Omit<CreateServiceOptions<ReaderConfig>, 'config' | 'routes'> = {},
): Promise<Service<ReaderConfig>> {
  return createService({
    ...options,
    config,
    routes(scope) {
      const read = readRoute(config)
      scope.get('/read', { schema: read.schema }, read.handler)
      rejectOtherMethods(scope, '/read', ['GET'])
    },
  })
}
