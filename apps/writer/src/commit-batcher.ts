/**
 * Group commit. node:sqlite is synchronous, so in synchronous FULL every commit's WAL fsync
 * runs on the event loop, one after the other, and every request behind it waits. The writes
 * that finish their simulated work in the same event-loop turn are therefore committed
 * together, in one transaction with one fsync, at the end of that turn (setImmediate).
 * Each write still gets its 200 only after the transaction holding it committed; a failed
 * transaction fails every write in it (none of them is stored). A write abandoned before the
 * flush (its breaker timed out and its client got a 503) is left out.
 */
import type { NewKey, NewWrite, WriteStore } from './write-store.js'

export interface CommitEvents {
  /** a transaction of `writes` writes committed in `seconds` */
  committed(writes: number, seconds: number): void
  /** a transaction of `writes` writes failed; none is stored */
  failed(error: unknown, writes: number): void
}

interface Pending {
  write: NewWrite
  /** the key record, computed at commit time (its expiry counts from the commit) */
  key?: () => NewKey
  abandoned: () => boolean
  resolve: () => void
  reject: (error: unknown) => void
}

export class CommitBatcher {
  readonly #store: WriteStore
  readonly #events: CommitEvents
  #queue: Pending[] = []

  constructor(store: WriteStore, events: CommitEvents) {
    this.#store = store
    this.#events = events
  }

  /** Resolves once `write` (and its key) is committed; rejects with the reason it is not. */
  commit(write: NewWrite, key: (() => NewKey) | undefined, abandoned: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(() => this.#flush())
      this.#queue.push({ write, ...(key && { key }), abandoned, resolve, reject })
    })
  }

  #flush(): void {
    const batch = this.#queue
    this.#queue = []
    const live: Pending[] = []
    for (const pending of batch) {
      if (pending.abandoned()) pending.reject(new Error('the write was abandoned before its commit'))
      else live.push(pending)
    }
    if (live.length === 0) return
    const startedMs = performance.now()
    try {
      this.#store.commit(live.map((pending) => ({ write: pending.write, key: pending.key?.() })))
    } catch (error) {
      this.#events.failed(error, live.length)
      for (const pending of live) pending.reject(error)
      return
    }
    this.#events.committed(live.length, (performance.now() - startedMs) / 1000)
    for (const pending of live) pending.resolve()
  }
}
