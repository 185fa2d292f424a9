/**
 * The writer's storage and idempotency settings, as config schema properties (merged into
 * the writer's schema in app.ts), so a bad value stops startup naming the variable.
 */
import { StringEnum } from '@production-lab/lifecycle'
import { Type } from '@sinclair/typebox'
import { SYNCHRONOUS_MODES, writerDefaults } from './writer-defaults.js'

export const storeConfigProperties = {
  WRITER_DATA_DIR: Type.String({
    minLength: 1,
    default: writerDefaults.dataDir,
    description: 'directory of the SQLite database (writes.db); :memory: keeps nothing',
  }),
  WRITER_SYNCHRONOUS: StringEnum(SYNCHRONOUS_MODES, {
    default: writerDefaults.synchronous,
    description:
      "SQLite's synchronous mode: FULL syncs every commit, NORMAL survives a crash but not a power loss",
  }),
  WRITER_BUSY_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    maximum: 5000,
    default: writerDefaults.busyTimeoutMs,
    description: 'ms a write waits for a lock held by another connection (blocks the event loop)',
  }),
  WRITER_MAX_DB_BYTES: Type.Integer({
    minimum: 0,
    default: writerDefaults.maxDbBytes,
    description: 'bytes the database may grow to; past it writes answer 503 (0 = the disk is the bound)',
  }),
  WRITE_BODY_MAX_DEPTH: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: writerDefaults.bodyMaxDepth,
    description: 'levels of nesting a write body may have; deeper gets 400',
  }),
  IDEMPOTENCY_TTL_S: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    default: writerDefaults.idempotencyTtlS,
    description: 'seconds: a committed answer is replayed this long',
  }),
  IDEMPOTENCY_MAX_KEYS: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: writerDefaults.idempotencyMaxKeys,
    description: 'Idempotency-Keys stored at most; live ones are never evicted (new keys get 503)',
  }),
}
