/**
 * The slow primary: POST /write simulates a write to primary storage (I/O wait plus real
 * CPU work) through a circuit breaker, with Idempotency-Key support so retries never
 * write twice.
 */
import { createHash, randomUUID } from 'node:crypto'
import {
  type CreateServiceOptions,
  createService,
  IdempotencyStore,
  rejectOtherMethods,
  type Service,
  ServiceError,
  serviceConfigSchema,
  simulateWork,
} from '@production-lab/lifecycle'
import { type Static, Type } from '@sinclair/typebox'
import { Counter } from 'prom-client'

export const writerConfigSchema = serviceConfigSchema(
  {
    WRITE_DELAY_MS: Type.Number({
      minimum: 0,
      maximum: 60_000,
      default: 50,
      description: 'I/O wait per write, ms',
    }),
    WRITE_CPU_MS: Type.Number({
      minimum: 0,
      maximum: 10_000,
      default: 0.5,
      description: 'CPU time per write, ms',
    }),
    IDEMPOTENCY_TTL_S: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 600,
      description: 'seconds: a completed answer is replayed this long',
    }),
    IDEMPOTENCY_MAX_KEYS: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 10_000,
      description: 'Idempotency-Keys remembered at most',
    }),
  },
  { SERVICE_NAME: 'SLOW_PRIMARY', PORT: 7001 },
)
export type WriterConfig = Static<typeof writerConfigSchema>

const writeBodySchema = Type.Object({}, { additionalProperties: true, maxProperties: 100 })
/** Printable ASCII, as in the IETF Idempotency-Key draft's examples (UUIDs, ULIDs, hashes). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

export interface WriteResult {
  service: string
  id: string
  writtenAt: string
}

export async function buildApp(
  config: WriterConfig,
  options: Omit<CreateServiceOptions<WriterConfig>, 'config' | 'routes'> = {},
): Promise<Service<WriterConfig>> {
  return createService({
    ...options,
    config,
    routes(scope, { breaker, faults, metrics }) {
      const writes = new Counter({
        name: 'writer_writes_total',
        help: 'Writes that reached primary storage (replays of an Idempotency-Key are not writes).',
        registers: [metrics.registry],
      })
      const storage = breaker(
        'storage',
        async (): Promise<WriteResult> => {
          if (faults.dependencyShouldFail()) throw new Error('storage rejected the write (injected fault)')
          await simulateWork({ delayMs: config.WRITE_DELAY_MS, cpuMs: config.WRITE_CPU_MS })
          writes.inc()
          return { service: config.SERVICE_NAME, id: randomUUID(), writtenAt: new Date().toISOString() }
        },
        { required: true },
      )
      const idempotency = new IdempotencyStore<WriteResult>({
        ttlMs: config.IDEMPOTENCY_TTL_S * 1000,
        maxKeys: config.IDEMPOTENCY_MAX_KEYS,
      })

      // Writes are JSON only: any other body is a 415, not a string that fails validation.
      scope.removeContentTypeParser('text/plain')
      // The guide posts with no body (`curl -X POST .../write`): treat that as an empty object.
      // A JSON `null` is a body, and not an object: validation refuses it.
      scope.addHook('preValidation', async (request) => {
        if (request.body === undefined) request.body = {}
      })
      scope.post<{ Body: Record<string, unknown>; Headers: { 'idempotency-key'?: string } }>(
        '/write',
        { schema: { body: writeBodySchema } },
        async (request, reply) => {
          const key = request.headers['idempotency-key']
          if (key === undefined) return storage.fire()
          if (!IDEMPOTENCY_KEY.test(key)) {
            throw new ServiceError('BAD_REQUEST', 'Idempotency-Key must be 1-255 printable ASCII characters')
          }
          const fingerprint = createHash('sha256').update(JSON.stringify(request.body)).digest('base64url')
          const { value, replayed } = await idempotency.run(key, fingerprint, () => storage.fire())
          if (replayed) reply.header('idempotent-replayed', 'true')
          return value
        },
      )
      rejectOtherMethods(scope, '/write', ['POST'])
    },
  })
}
