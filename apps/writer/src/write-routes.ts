/**
 * The writer's routes over the durable store:
 *   POST /write      simulated latency, then one row (and its Idempotency-Key) committed with the
 *                    writes ready in the same turn (commit-batcher.ts), through the `storage`
 *                    breaker; 200 only after the commit
 *   GET /writes/:id  one stored write; 404 for an unknown id
 * A write the breaker gave up on (timeout) is marked abandoned and never commits afterwards:
 * the client got a 503, so a later commit would turn its retry into a second write.
 */
import { createHash, randomUUID } from 'node:crypto'
import {
  type CreateServiceOptions,
  rejectOtherMethods,
  type ServiceContext,
  ServiceError,
  simulateWork,
} from '@production-lab/lifecycle'
import { Type } from '@sinclair/typebox'
import type { WriterConfig } from './app.js'
import { assertBodyDepth } from './body-depth.js'
import { CommitBatcher } from './commit-batcher.js'
import { DurableIdempotency, type WriteAnswer } from './durable-idempotency.js'
import { logStoreOpened } from './store-log.js'
import { registerStoreMetrics } from './store-metrics.js'
import type { WriteStore } from './write-store.js'

/** The service scope createService hands to the routes (a Fastify instance). */
type Scope = Parameters<CreateServiceOptions<WriterConfig>['routes']>[0]

const writeBodySchema = Type.Object({}, { additionalProperties: true, maxProperties: 100 })
const writeParamsSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
})
/** Printable ASCII, as in the IETF Idempotency-Key draft's examples (UUIDs, ULIDs, hashes). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/

interface WriteAttempt {
  bodyJson: string
  key?: { key: string; fingerprint: string; expiresAtMs: () => number }
  /** set when the breaker gave up on this attempt: it must not commit any more */
  abandoned: boolean
}

function sqliteReason(error: unknown): string {
  const e = error as { errstr?: string; message?: string }
  return e.errstr ?? e.message ?? String(error)
}

/** Runs a read of the store; a database error is a 503, not a 500. */
function fromStore<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof ServiceError) throw error
    throw new ServiceError('DEPENDENCY_UNAVAILABLE', `storage failed: ${sqliteReason(error)}`, {
      retryAfterS: 1,
      cause: error,
    })
  }
}

export function registerWriteRoutes(
  scope: Scope,
  { config, breaker, faults, metrics, logger }: ServiceContext<WriterConfig>,
  store: WriteStore,
): void {
  logStoreOpened(logger, store.report)
  const storeMetrics = registerStoreMetrics(metrics.registry, store)
  const idempotency = new DurableIdempotency(store, {
    ttlMs: config.IDEMPOTENCY_TTL_S * 1000,
    maxKeys: config.IDEMPOTENCY_MAX_KEYS,
  })
  const batcher = new CommitBatcher(store, {
    committed: storeMetrics.committed,
    failed(error, writes) {
      logger.error({ error, writes }, `Write store failed to commit: ${sqliteReason(error)}`)
    },
  })
  const storage = breaker(
    'storage',
    async (attempt: WriteAttempt): Promise<WriteAnswer> => {
      if (faults.dependencyShouldFail()) throw new Error('storage rejected the write (injected fault)')
      await simulateWork({ delayMs: config.WRITE_DELAY_MS, cpuMs: config.WRITE_CPU_MS })
      if (attempt.abandoned) throw new Error('the write was abandoned before its commit')
      const answer: WriteAnswer = {
        service: config.SERVICE_NAME,
        id: randomUUID(),
        writtenAt: new Date().toISOString(),
      }
      const { key } = attempt
      await batcher.commit(
        { ...answer, bodyJson: attempt.bodyJson },
        key && (() => ({ key: key.key, fingerprint: key.fingerprint, expiresAtMs: key.expiresAtMs() })),
        () => attempt.abandoned,
      )
      return answer
    },
    { required: true },
  )
  const write = (attempt: WriteAttempt) =>
    storage.fire(attempt).catch((error: unknown) => {
      attempt.abandoned = true
      throw error
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
      assertBodyDepth(request.body, config.WRITE_BODY_MAX_DEPTH)
      const bodyJson = JSON.stringify(request.body)
      const key = request.headers['idempotency-key']
      if (key === undefined) return write({ bodyJson, abandoned: false })
      if (!IDEMPOTENCY_KEY.test(key)) {
        throw new ServiceError('BAD_REQUEST', 'Idempotency-Key must be 1-255 printable ASCII characters')
      }
      const fingerprint = createHash('sha256').update(bodyJson).digest('base64url')
      const claim = fromStore(() => idempotency.claim(key, fingerprint))
      if (claim.replay) {
        reply.header('idempotent-replayed', 'true')
        return claim.replay
      }
      try {
        return await write({
          bodyJson,
          key: { key, fingerprint, expiresAtMs: claim.expiresAtMs },
          abandoned: false,
        })
      } finally {
        claim.release()
      }
    },
  )
  rejectOtherMethods(scope, '/write', ['POST'])

  scope.get<{ Params: { id: string } }>(
    '/writes/:id',
    { schema: { params: writeParamsSchema } },
    async (request) => {
      const found = fromStore(() => store.findWrite(request.params.id))
      if (!found) throw new ServiceError('NOT_FOUND', `No write with id ${request.params.id}`)
      return found
    },
  )
  rejectOtherMethods(scope, '/writes/:id', ['GET'])
}
