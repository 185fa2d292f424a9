/**
 * The fast replica: GET /read simulates a replica read (I/O wait plus optional CPU work);
 * `?bytes=N` pads the answer to about N bytes, so the cost of larger responses can be measured.
 */

import {
  type CreateServiceOptions,
  createService,
  rejectOtherMethods,
  type Service,
  ServiceError,
  serviceConfigSchema,
  simulateWork,
} from '@production-lab/lifecycle'
import { READERS } from '@production-lab/stack'
import { type Static, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { readerDefaults } from './defaults.js'

export { readerDefaults } from './defaults.js'

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

/** The characters `"padding":""` adds to the answer's JSON besides the padding itself. */
const PADDING_FIELD_BYTES = ',"padding":""'.length
/** One padding string, cut per request (a slice shares its characters: no copy per answer). */
const PADDING = 'x'.repeat(readerDefaults.maxReadBytes)

/**
 * `?bytes=N`: digits only (the schema), at most maxReadBytes (checked here: the schema's
 * pattern cannot say a bound without restating the number).
 */
function requestedBytes(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const bytes = Number(raw)
  if (bytes > readerDefaults.maxReadBytes)
    throw new ServiceError(
      'VALIDATION_FAILED',
      `querystring/bytes must be an integer from 0 to ${readerDefaults.maxReadBytes}`,
    )
  return bytes
}

/**
 * GET /read's schema and handler. The benchmark's baseline fixtures serve this very route
 * (its response serialisation and simulated work are part of what it measures).
 */
export function readRoute(config: ReaderConfig) {
  const work = { delayMs: config.READ_DELAY_MS, cpuMs: config.READ_CPU_MS }
  return {
    schema: {
      querystring: Type.Object({
        bytes: Type.Optional(
          Type.String({
            pattern: '^[0-9]+$',
            description: `pad the answer to about this many bytes, 0 to ${readerDefaults.maxReadBytes}`,
          }),
        ),
      }),
      response: {
        200: Type.Object({
          service: Type.String(),
          servedAt: Type.String(),
          delayMs: Type.Number(),
          padding: Type.Optional(Type.String()),
        }),
      },
    },
    handler: async (request: FastifyRequest) => {
      // The querystring schema above has validated this shape.
      const bytes = requestedBytes((request.query as { bytes?: string }).bytes)
      await simulateWork(work)
      const answer = {
        service: config.SERVICE_NAME,
        servedAt: new Date().toISOString(),
        delayMs: config.READ_DELAY_MS,
      }
      if (bytes === undefined) return answer
      // A body already at least N bytes long stays as it is (N below the guide's answer).
      const padding = bytes - Buffer.byteLength(JSON.stringify(answer)) - PADDING_FIELD_BYTES
      return padding > 0 ? { ...answer, padding: PADDING.slice(0, padding) } : answer
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
