/**
 * Every default of the writer's own settings in one place, with its unit (the lifecycle
 * package's defaults cover the rest). The config schema reads these; the docs quote them.
 */
export const writerDefaults = {
  /** milliseconds of simulated I/O wait per write, on top of the real commit (the guide's 50 ms) */
  writeDelayMs: 50,
  /** milliseconds of CPU time per write */
  writeCpuMs: 0.5,
  /**
   * where the SQLite database lives, relative to the working directory when not absolute;
   * `:memory:` keeps it in memory (nothing survives the process: the benchmark's baseline)
   */
  dataDir: 'data',
  /**
   * SQLite's `synchronous` in WAL mode: FULL syncs the WAL at every commit, so an
   * acknowledged write survives a power loss as well as a crash (see docs/durable-writes.md)
   */
  synchronous: 'FULL',
  /**
   * milliseconds a write waits for a lock held by another connection before it fails (503).
   * Short on purpose: node:sqlite is synchronous, so the wait blocks the event loop.
   */
  busyTimeoutMs: 50,
  /** bytes the database may grow to (0 = no bound but the disk); past it writes answer 503 */
  maxDbBytes: 0,
  /** seconds a completed answer is replayed for an Idempotency-Key, counted from its commit */
  idempotencyTtlS: 600,
  /** Idempotency-Keys stored at most (live ones are never evicted: past it new keys get 503) */
  idempotencyMaxKeys: 10_000,
  /**
   * count: writes in flight above which a new one is shed with 503 OVERLOADED (SHED_MAX_IN_FLIGHT,
   * the lifecycle's admission bound; off there by default). The half-core writer serves ~300-400
   * writes/s under overload, so admitted writes wait about 64 / 350 s ~ 0.2 s (Little's law):
   * at 4x its capacity through nginx the 200s' p99 went from 2.67 s (106 x 504) to 0.54 s (none).
   * It is the only server of its upstream, so a shed 503 cannot eject it (nginx ignores
   * max_fails for a lone server).
   */
  shedMaxInFlight: 64,
  /**
   * milliseconds a write may have queued since nginx sent it (X-Request-Start) before it is shed
   * (SHED_MAX_QUEUE_MS). Not lower: at 250 ms, 16 of 200 writes at the guide's concurrency 50
   * (T3, which expects all 200 served) were shed on the busy machine. At 1000 ms, 4x the writer's
   * capacity still kept the 200s' p99 at 0.94 s at nginx (0.54 s at 250 ms), no 504.
   */
  shedMaxQueueMs: 1000,
  /** levels of nesting a write body may have (deeper gets 400, never a stack overflow) */
  bodyMaxDepth: 32,
} as const

/** SQLite's `synchronous` settings, weakest first. */
export const SYNCHRONOUS_MODES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number]

/** The WRITER_DATA_DIR value that keeps the database in memory. */
export const IN_MEMORY = ':memory:'
