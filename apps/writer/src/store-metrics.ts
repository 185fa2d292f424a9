/**
 * The writer's storage metrics: writes committed by this process (a counter, as before), the
 * writes and Idempotency-Key records stored in the database (gauges that survive restarts, so
 * a scenario can count rows before and after a kill), how long a commit takes (the cost of
 * the synchronous mode) and how many writes each commit carried (group commit).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { WriteStore } from './write-store.js'

/** Seconds: a commit takes tens of microseconds in memory, one fsync (about 1-20 ms) in FULL. */
const COMMIT_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
/** Writes per transaction: 1 when writes arrive one by one, tens under a burst. */
const COMMIT_BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100]

export interface StoreMetrics {
  /** a transaction of `writes` writes committed by this process, and how long the commit took */
  committed(writes: number, seconds: number): void
}

export function registerStoreMetrics(registry: Registry, store: WriteStore): StoreMetrics {
  const registers = [registry]
  const writes = new Counter({
    name: 'writer_writes_total',
    help: 'Writes this process committed to the database (replays of an Idempotency-Key are not writes).',
    registers,
  })
  new Gauge({
    name: 'writer_stored_writes',
    help: 'Writes stored in the database, by this process and every earlier one (survives restarts).',
    registers,
    collect() {
      this.set(store.writeCount)
    },
  })
  new Gauge({
    name: 'writer_idempotency_keys_stored',
    help: 'Idempotency-Key records stored (live, or expired and not yet purged).',
    registers,
    collect() {
      this.set(store.keyCount)
    },
  })
  const commitSeconds = new Histogram({
    name: 'writer_store_commit_duration_seconds',
    help: 'Time to commit one transaction (the writes of one event-loop turn and their Idempotency-Keys), sync included.',
    buckets: COMMIT_BUCKETS_S,
    registers,
  })
  const commitWrites = new Histogram({
    name: 'writer_store_commit_writes',
    help: 'Writes per committed transaction (group commit: the writes ready in the same event-loop turn).',
    buckets: COMMIT_BATCH_BUCKETS,
    registers,
  })
  return {
    committed(count, seconds) {
      writes.inc(count)
      commitSeconds.observe(seconds)
      commitWrites.observe(count)
    },
  }
}
