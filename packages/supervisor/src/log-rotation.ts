/**
 * Bounded log files for the native stack: a service's stdout and stderr reach its log file
 * through the supervisor, which renames the file to <file>.1 (older ones shift to .2, ...)
 * before a write would take it past LAB_LOG_MAX_BYTES, and keeps LAB_LOG_KEEP_FILES old ones.
 * Without it one access line per request filled 187 MB in 15 minutes of load tests (issue 14).
 * A service's disk use is then at most (keep + 1) x max bytes, plus one pipe read (64 KiB).
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { logLimits } from '@production-lab/stack'

export interface LogRotation {
  /** bytes: a log file is rotated before a write would take it past this */
  maxBytes: number
  /** rotated files kept beside the current one (<file>.1 is the newest) */
  keepFiles: number
}

/** LAB_LOG_MAX_BYTES and LAB_LOG_KEEP_FILES, else the stack's logLimits; throws naming a bad variable. */
export function logRotationFromEnv(env: NodeJS.ProcessEnv = process.env): LogRotation {
  const read = (name: string, fallback: number, minimum: number) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isSafeInteger(value) || value < minimum)
      throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected an integer >= ${minimum}`)
    return value
  }
  return {
    maxBytes: read('LAB_LOG_MAX_BYTES', logLimits.maxBytes, 1024),
    keepFiles: read('LAB_LOG_KEEP_FILES', logLimits.keepFiles, 0),
  }
}

/** The rotated files of `path`, newest first, as this module names them. */
export function rotatedFiles(path: string, keepFiles: number): string[] {
  return Array.from({ length: keepFiles }, (_, index) => `${path}.${index + 1}`)
}

/** <path>.k-1 -> <path>.k, ..., <path> -> <path>.1; the oldest beyond `keepFiles` is dropped. */
export function shiftLogFiles(path: string, keepFiles: number): void {
  const ignoreMissing = (action: () => void) => {
    try {
      action()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  if (keepFiles === 0) {
    ignoreMissing(() => unlinkSync(path))
    return
  }
  for (let index = keepFiles - 1; index >= 1; index -= 1)
    ignoreMissing(() => renameSync(`${path}.${index}`, `${path}.${index + 1}`))
  ignoreMissing(() => renameSync(path, `${path}.1`))
}

/** Appends to `path` (created if missing), rotating by size; synchronous, so lines keep their order. */
export class RotatingLogWriter {
  readonly path: string
  readonly rotation: LogRotation
  #fd: number
  #size: number
  #closed = false

  constructor(path: string, rotation: LogRotation) {
    this.path = path
    this.rotation = rotation
    mkdirSync(dirname(path), { recursive: true })
    this.#fd = openSync(path, 'a')
    this.#size = fstatSync(this.#fd).size
  }

  write(chunk: Buffer | string): void {
    if (this.#closed) return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (this.#size > 0 && this.#size + bytes.length > this.rotation.maxBytes) this.#rotate()
    let written = 0
    while (written < bytes.length) written += writeSync(this.#fd, bytes, written)
    this.#size += bytes.length
  }

  /** Idempotent; a write after it is dropped (a pipe's last chunk racing the close). */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    closeSync(this.#fd)
  }

  #rotate(): void {
    closeSync(this.#fd)
    shiftLogFiles(this.path, this.rotation.keepFiles)
    this.#fd = openSync(this.path, 'a')
    this.#size = 0
  }
}
