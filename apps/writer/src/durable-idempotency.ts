/**
 * Idempotency-Key semantics (the IETF draft's, as before) over the durable write store, so a
 * retry after the writer restarted (SIGTERM, SIGKILL, crash) replays instead of writing twice:
 *   - a key whose write committed and has not expired: the stored answer (same id), replayed
 *   - the same key with another body: 422 IDEMPOTENCY_KEY_REUSED
 *   - a key whose first request is still running here: 409 IDEMPOTENCY_CONFLICT + Retry-After
 *   - otherwise the caller writes, and commits the key with the write (write-store.ts)
 * Running keys live in memory only: a process that dies takes its uncommitted writes with it,
 * so a retry afterwards finds no record and writes (once).
 * Bounded: stored plus running keys stay under maxKeys. At the bound, expired records are
 * purged; a live key is never evicted (a retry inside its TTL must replay, not write again),
 * so when every slot is live a new key gets 503 OVERLOADED with Retry-After = the time until
 * the oldest key expires.
 */
import { ServiceError } from '@production-lab/lifecycle'
import type { WriteStore } from './write-store.js'

export interface WriteAnswer {
  service: string
  id: string
  writtenAt: string
}

export interface DurableIdempotencyOptions {
  /** milliseconds a committed answer is replayed for */
  ttlMs: number
  /** stored plus running keys at most */
  maxKeys: number
  now?: () => number
}

export type Claim =
  | { replay: WriteAnswer }
  | {
      replay?: undefined
      /** milliseconds since the epoch when the key expires if committed now */
      expiresAtMs: () => number
      /** forgets the running key (after its write committed or failed) */
      release: () => void
    }

export class DurableIdempotency {
  readonly #store: WriteStore
  readonly #running = new Map<string, string>()
  readonly #ttlMs: number
  readonly #maxKeys: number
  readonly #now: () => number

  constructor(store: WriteStore, options: DurableIdempotencyOptions) {
    this.#store = store
    this.#ttlMs = options.ttlMs
    this.#maxKeys = options.maxKeys
    this.#now = options.now ?? Date.now
  }

  /** Keys whose first request is running in this process. */
  get runningCount(): number {
    return this.#running.size
  }

  /** Replays a committed answer, refuses (409, 422, 503), or claims the key for a new write. */
  claim(key: string, fingerprint: string): Claim {
    const running = this.#running.get(key)
    if (running !== undefined) {
      if (running !== fingerprint) throw new ServiceError('IDEMPOTENCY_KEY_REUSED')
      throw new ServiceError('IDEMPOTENCY_CONFLICT', undefined, { retryAfterS: 1 })
    }
    const now = this.#now()
    const stored = this.#store.findKey(key, now)
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new ServiceError('IDEMPOTENCY_KEY_REUSED')
      const write = this.#store.findWrite(stored.writeId)
      if (!write) throw new Error(`Idempotency-Key ${key} names write ${stored.writeId}, which is not stored`)
      return { replay: { service: write.service, id: write.id, writtenAt: write.writtenAt } }
    }
    this.#makeRoom(now)
    this.#running.set(key, fingerprint)
    return {
      expiresAtMs: () => this.#now() + this.#ttlMs,
      release: () => {
        this.#running.delete(key)
      },
    }
  }

  #makeRoom(now: number): void {
    const used = () => this.#store.keyCount + this.#running.size
    if (used() < this.#maxKeys) return
    this.#store.purgeExpiredKeys(now)
    if (used() < this.#maxKeys) return
    const oldestMs = this.#store.oldestKeyExpiryMs()
    const waitS = oldestMs === undefined ? 1 : Math.max(1, Math.ceil((oldestMs - now) / 1000))
    throw new ServiceError(
      'OVERLOADED',
      `All ${this.#maxKeys} Idempotency-Key slots hold live keys (IDEMPOTENCY_MAX_KEYS); none is evicted before it expires`,
      { retryAfterS: waitS },
    )
  }
}
