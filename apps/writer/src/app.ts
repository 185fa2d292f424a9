/**
 * The slow primary: POST /write stores every write in a SQLite database (WAL mode, in
 * WRITER_DATA_DIR) after simulated latency (I/O wait plus real CPU work), through a circuit
 * breaker, with Idempotency-Key support that survives restarts; GET /writes/:id reads one back.
 * The routes are in write-routes.ts, the storage in write-store.ts.
 */

import {
  baseConfigProperties,
  type CreateServiceOptions,
  createService,
  type Service,
  serviceConfigSchema,
} from '@production-lab/lifecycle'
import { WRITER } from '@production-lab/stack'
import { type Static, Type } from '@sinclair/typebox'
import { storeConfigProperties } from './store-config.js'
import { logStoreClosed } from './store-log.js'
import { registerWriteRoutes } from './write-routes.js'
import { WriteStore } from './write-store.js'
import { writerDefaults } from './writer-defaults.js'

export const writerConfigSchema = serviceConfigSchema(
  {
    WRITE_DELAY_MS: Type.Number({
      minimum: 0,
      maximum: 60_000,
      default: writerDefaults.writeDelayMs,
      description: 'I/O wait per write, ms',
    }),
    WRITE_CPU_MS: Type.Number({
      minimum: 0,
      maximum: 10_000,
      default: writerDefaults.writeCpuMs,
      description: 'CPU time per write, ms',
    }),
    ...storeConfigProperties,
    // The admission bound is on for the writer (writer-defaults.ts says why).
    SHED_MAX_IN_FLIGHT: Type.Integer({
      ...baseConfigProperties.SHED_MAX_IN_FLIGHT,
      default: writerDefaults.shedMaxInFlight,
    }),
    SHED_MAX_QUEUE_MS: Type.Number({
      ...baseConfigProperties.SHED_MAX_QUEUE_MS,
      default: writerDefaults.shedMaxQueueMs,
    }),
  },
  // The topology's writer at offset 0: its SERVICE_NAME and port when run alone.
  { SERVICE_NAME: WRITER.serviceName, PORT: WRITER.basePort },
)
export type WriterConfig = Static<typeof writerConfigSchema>

export type { WriteAnswer as WriteResult } from './durable-idempotency.js'
export { type StoredWrite, WriteStore, WriteStoreError } from './write-store.js'

/** Opens the configured database; throws WriteStoreError when it cannot be used. */
export function openWriteStore(config: WriterConfig): WriteStore {
  return WriteStore.open({
    dataDir: config.WRITER_DATA_DIR,
    synchronous: config.WRITER_SYNCHRONOUS,
    busyTimeoutMs: config.WRITER_BUSY_TIMEOUT_MS,
    maxDbBytes: config.WRITER_MAX_DB_BYTES,
  })
}

export interface WriterAppOptions extends Omit<CreateServiceOptions<WriterConfig>, 'config' | 'routes'> {
  /** the database; opened from the config when not given */
  store?: WriteStore
}

export async function buildApp(
  config: WriterConfig,
  options: WriterAppOptions = {},
): Promise<Service<WriterConfig>> {
  const { store = openWriteStore(config), ...serviceOptions } = options
  const service = await createService({
    ...serviceOptions,
    config,
    routes(scope, context) {
      registerWriteRoutes(scope, context, store)
    },
  })
  // Closed last: the shutdown sequence runs onClose after the last in-flight request was
  // answered (its write committed), just before "Graceful shutdown complete".
  service.app.addHook('onClose', async () => {
    store.close()
    logStoreClosed(service.logger, store)
  })
  return service
}
