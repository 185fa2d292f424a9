/**
 * Idempotency keys for unsafe requests: a retry of a completed request returns the
 * first answer without doing the work again; a retry while the first is still running
 * gets 409 IDEMPOTENCY_CONFLICT (with Retry-After) rather than waiting, so a client's
 * timeout never stacks a second wait on the first; a key reused with a different body
 * gets 422. Failed attempts are forgotten so they can be retried. Bounded: at most
 * `maxKeys` entries, each answer kept `ttlMs` after it completed; when full, expired and
 * then the oldest completed entries go first, and with every slot running a new key is
 * refused (503) rather than forgetting a running one.
 */
import { ServiceError } from './errors.js'

interface Entry<T> {
  fingerprint: string
  /** milliseconds (clock of `now`); counted from completion */
  expiresAt: number
  /** undefined while the first request is still running */
  value: T | undefined
}

export interface IdempotencyOptions {
  /** milliseconds a completed answer is replayed for */
  ttlMs: number
  /** entries kept at most */
  maxKeys: number
  now?: () => number
}

export class IdempotencyStore<T> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #ttlMs: number
  readonly #maxKeys: number
  readonly #now: () => number

  constructor(options: IdempotencyOptions) {
    this.#ttlMs = options.ttlMs
    this.#maxKeys = options.maxKeys
    this.#now = options.now ?? Date.now
  }

  get size(): number {
    return this.#entries.size
  }

  /**
   * Runs `work` once per key. `fingerprint` identifies the request (for example a hash of
   * its body) so that a key reused for another request is refused.
   */
  async run(
    key: string,
    fingerprint: string,
    work: () => Promise<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    const now = this.#now()
    const existing = this.#entries.get(key)
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== fingerprint) throw new ServiceError('IDEMPOTENCY_KEY_REUSED')
      if (existing.value === undefined)
        throw new ServiceError('IDEMPOTENCY_CONFLICT', undefined, { retryAfterS: 1 })
      return { value: existing.value, replayed: true }
    }
    if (existing) this.#entries.delete(key)
    this.#makeRoom(now)
    // A running request never expires: however long it takes, a duplicate must not start a second write.
    const entry: Entry<T> = { fingerprint, expiresAt: Number.POSITIVE_INFINITY, value: undefined }
    this.#entries.set(key, entry)
    try {
      entry.value = await work()
      entry.expiresAt = this.#now() + this.#ttlMs
      return { value: entry.value, replayed: false }
    } catch (error) {
      this.#entries.delete(key)
      throw error
    }
  }

  #makeRoom(now: number): void {
    if (this.#entries.size < this.#maxKeys) return
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key)
    }
    // Map iteration is insertion order: the first completed entries are the oldest.
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size < this.#maxKeys) return
      if (entry.value !== undefined) this.#entries.delete(key)
    }
    if (this.#entries.size >= this.#maxKeys) {
      throw new ServiceError('OVERLOADED', 'Too many requests with an Idempotency-Key in progress', {
        retryAfterS: 1,
      })
    }
  }
}
