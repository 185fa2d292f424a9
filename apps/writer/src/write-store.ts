/**
 * The writer's storage: one SQLite database (node:sqlite, built into Node, no native module)
 * in WAL mode in WRITER_DATA_DIR. A write and its Idempotency-Key record are committed in one
 * transaction, so after a SIGTERM, a SIGKILL or a crash either both exist or neither does, and
 * a retry replays the stored answer instead of writing twice. Opening a database left by a
 * SIGKILL replays its WAL (SQLite does that on open) and reports what it found.
 *
 * node:sqlite is synchronous: each statement runs on the event loop. A commit is short (one
 * small row; one WAL fsync in synchronous FULL); docs/durable-writes.md has its measured cost.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { IN_MEMORY, type SynchronousMode } from './writer-defaults.js'

export const DATABASE_FILE = 'writes.db'
/** bytes of a database page (SQLite's default), to turn maxDbBytes into max_page_count */
const PAGE_SIZE_BYTES = 4096
/** the schema's version, in SQLite's user_version header field */
const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS writes (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  service TEXT NOT NULL,
  written_at TEXT NOT NULL,
  body TEXT NOT NULL,
  idempotency_key TEXT
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  write_id TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at_ms);
`

export interface WriteStoreOptions {
  /** a directory, or IN_MEMORY */
  dataDir: string
  synchronous: SynchronousMode
  busyTimeoutMs: number
  /** 0 = no bound but the disk */
  maxDbBytes: number
}

/** One stored write, as GET /writes/:id answers it. */
export interface StoredWrite {
  service: string
  id: string
  writtenAt: string
  body: unknown
  idempotencyKey: string | null
}

export interface NewWrite {
  service: string
  id: string
  writtenAt: string
  /** the request body, as JSON text */
  bodyJson: string
}

export interface NewKey {
  key: string
  fingerprint: string
  /** milliseconds since the epoch */
  expiresAtMs: number
}

/** What opening found: whether the last stop was unclean (a WAL was left) and what is stored. */
export interface OpenReport {
  /** the database file, or IN_MEMORY */
  location: string
  /** bytes of WAL left by the previous process (0 after a clean close) */
  recoveredWalBytes: number
  writes: number
  keys: number
  synchronous: SynchronousMode
}

/** The data directory or database cannot be used: startup stops with this one line. */
export class WriteStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WriteStoreError'
  }
}

function sqliteReason(error: unknown): string {
  const e = error as { errstr?: string; code?: string; message?: string }
  return e.errstr ?? e.message ?? String(error)
}

export class WriteStore {
  readonly report: OpenReport
  readonly #db: DatabaseSync
  readonly #insertWrite: StatementSync
  readonly #deleteKey: StatementSync
  readonly #insertKey: StatementSync
  readonly #findWrite: StatementSync
  readonly #findKey: StatementSync
  readonly #purgeKeys: StatementSync
  readonly #oldestKey: StatementSync
  #writes: number
  #keys: number

  private constructor(db: DatabaseSync, report: OpenReport) {
    this.#db = db
    this.report = report
    this.#writes = report.writes
    this.#keys = report.keys
    this.#insertWrite = db.prepare(
      'INSERT INTO writes (id, service, written_at, body, idempotency_key) VALUES (?, ?, ?, ?, ?)',
    )
    this.#deleteKey = db.prepare('DELETE FROM idempotency_keys WHERE key = ?')
    this.#insertKey = db.prepare(
      'INSERT INTO idempotency_keys (key, fingerprint, write_id, expires_at_ms) VALUES (?, ?, ?, ?)',
    )
    this.#findWrite = db.prepare(
      'SELECT id, service, written_at, body, idempotency_key FROM writes WHERE id = ?',
    )
    this.#findKey = db.prepare(
      'SELECT fingerprint, write_id FROM idempotency_keys WHERE key = ? AND expires_at_ms > ?',
    )
    this.#purgeKeys = db.prepare('DELETE FROM idempotency_keys WHERE expires_at_ms <= ?')
    this.#oldestKey = db.prepare('SELECT min(expires_at_ms) AS oldest FROM idempotency_keys')
  }

  /** Opens (creating when needed) the database; throws WriteStoreError saying why it cannot. */
  static open(options: WriteStoreOptions): WriteStore {
    const inMemory = options.dataDir === IN_MEMORY
    const dir = resolve(options.dataDir)
    const location = inMemory ? IN_MEMORY : join(dir, DATABASE_FILE)
    let recoveredWalBytes = 0
    if (!inMemory) {
      try {
        mkdirSync(dir, { recursive: true })
        accessSync(dir, constants.W_OK)
      } catch (error) {
        throw new WriteStoreError(
          `WRITER_DATA_DIR=${options.dataDir} is not a writable directory: ${(error as Error).message}`,
          { cause: error },
        )
      }
      recoveredWalBytes = fileBytes(`${location}-wal`)
    }
    let db: DatabaseSync | undefined
    try {
      db = new DatabaseSync(location)
      db.exec(`PRAGMA busy_timeout = ${Math.round(options.busyTimeoutMs)}`)
      if (!inMemory) {
        const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }
        if (mode.journal_mode !== 'wal') throw new Error(`journal_mode is ${mode.journal_mode}, not wal`)
      }
      db.exec(`PRAGMA synchronous = ${options.synchronous}`)
      if (options.maxDbBytes > 0) {
        db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxDbBytes / PAGE_SIZE_BYTES))}`)
      }
      // Writing the schema version checks that the database is writable, not only readable.
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT`)
      // Fold a recovered WAL into the database file now rather than at some later commit.
      if (recoveredWalBytes > 0) db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      const opened = db
      const count = (table: string) =>
        Number((opened.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)
      return new WriteStore(opened, {
        location,
        recoveredWalBytes,
        writes: count('writes'),
        keys: count('idempotency_keys'),
        synchronous: options.synchronous,
      })
    } catch (error) {
      if (db?.isOpen) db.close()
      throw new WriteStoreError(
        `cannot open the write store ${location} (WRITER_DATA_DIR=${options.dataDir}): ${sqliteReason(error)}`,
        { cause: error },
      )
    }
  }

  /** Writes stored (rows of the database, this process's and every earlier one's). */
  get writeCount(): number {
    return this.#writes
  }

  /** Idempotency-Key records stored, live or expired and not yet purged. */
  get keyCount(): number {
    return this.#keys
  }

  get isOpen(): boolean {
    return this.#db.isOpen
  }

  /**
   * Commits writes and, when given, their Idempotency-Key records (replacing an expired record
   * of the same key) in one transaction: all of them or none. Throws SQLite's error (full,
   * locked, I/O) unchanged.
   */
  commit(items: ReadonlyArray<{ write: NewWrite; key?: NewKey | undefined }>): void {
    let keysAdded = 0
    this.#db.exec('BEGIN IMMEDIATE')
    try {
      for (const { write, key } of items) {
        this.#insertWrite.run(write.id, write.service, write.writtenAt, write.bodyJson, key?.key ?? null)
        if (key) {
          const replaced = Number(this.#deleteKey.run(key.key).changes)
          this.#insertKey.run(key.key, key.fingerprint, write.id, key.expiresAtMs)
          keysAdded += 1 - replaced
        }
      }
      this.#db.exec('COMMIT')
    } catch (error) {
      // A failed COMMIT (disk full) may have rolled back already.
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK')
      throw error
    }
    this.#writes += items.length
    this.#keys += keysAdded
  }

  findWrite(id: string): StoredWrite | undefined {
    const row = this.#findWrite.get(id) as
      | { id: string; service: string; written_at: string; body: string; idempotency_key: string | null }
      | undefined
    if (!row) return undefined
    return {
      service: row.service,
      id: row.id,
      writtenAt: row.written_at,
      body: JSON.parse(row.body),
      idempotencyKey: row.idempotency_key,
    }
  }

  /** The live (unexpired at `nowMs`) record of `key`. */
  findKey(key: string, nowMs: number): { fingerprint: string; writeId: string } | undefined {
    const row = this.#findKey.get(key, nowMs) as { fingerprint: string; write_id: string } | undefined
    return row && { fingerprint: row.fingerprint, writeId: row.write_id }
  }

  /** Deletes the records expired at `nowMs`; returns how many. */
  purgeExpiredKeys(nowMs: number): number {
    const purged = Number(this.#purgeKeys.run(nowMs).changes)
    this.#keys -= purged
    return purged
  }

  /** Milliseconds since the epoch when the first stored key expires; undefined when none is stored. */
  oldestKeyExpiryMs(): number | undefined {
    const row = this.#oldestKey.get() as { oldest: number | null }
    return row.oldest === null ? undefined : Number(row.oldest)
  }

  /** Closes the database: SQLite checkpoints the WAL into the file and removes it. */
  close(): void {
    if (this.#db.isOpen) this.#db.close()
  }
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
