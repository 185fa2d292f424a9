/**
 * What a load is asked to do and what it returns: the options (validated before anything is
 * sent), the run with its records, summary and events, and the handle of a running load.
 */
import type { OutcomeClass } from './outcome.js'
import type { RequestRecord, RunEvent } from './record.js'
import type { LoadSummary } from './summary.js'

export interface RequestSpec {
  /** path and query, e.g. /read?x=1 */
  path: string
  method: string
  headers: Record<string, string>
  body?: string
}

export interface ResponseView {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** What a response says about itself, for the record: who served it, or which error it carries. */
export type DescribeResponse = (response: ResponseView) => { label?: string; detail?: string }

export interface RetryOptions {
  /** retries after the first attempt (0 = none) */
  retries: number
  /** milliseconds; see backoff.ts */
  baseDelayMs?: number
  /** milliseconds */
  maxDelayMs?: number
  /** outcomes that are retried; DEFAULT_RETRY_ON when not given */
  retryOn?: ReadonlySet<OutcomeClass>
}

export interface LoadProgress {
  elapsedMs: number
  completed: number
  served: number
  failed: number
  inFlight: number
  /** completed requests per second since the previous progress report */
  currentRps: number
  /** milliseconds, over the whole run so far */
  p99Ms: number
}

export interface LoadOptions {
  /** a name for reports, e.g. "T3 200 writes at concurrency 50" */
  name?: string
  /** absolute URL; its origin is loaded, its path and query are the default request path */
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
  /** changes request `index` (0-based), e.g. a fresh Idempotency-Key per logical request */
  customize?: (index: number) => Partial<RequestSpec>
  /** closed model: concurrent workers; open model: sockets at most */
  connections?: number
  /** open model: requests per second; closed model when not given */
  rate?: number
  /** stop after this many requests */
  requests?: number
  /** milliseconds: stop sending new requests after this long */
  durationMs?: number
  /** milliseconds per attempt */
  timeoutMs?: number
  retry?: RetryOptions
  describe?: DescribeResponse
  /** stops sending new requests when aborted */
  signal?: AbortSignal
  onProgress?: (progress: LoadProgress) => void
  /** milliseconds between onProgress calls */
  progressIntervalMs?: number
  allowRemote?: boolean
  /** 0 <= r < 1; for the jitter */
  random?: () => number
}

export interface LoadRun {
  name: string
  model: 'closed' | 'open'
  url: string
  method: string
  connections: number
  /** requests per second of the open model; null for the closed model */
  rate: number | null
  /** ISO time the run started */
  startedAt: string
  startedAtEpochMs: number
  /** milliseconds from the start to the last answer */
  durationMs: number
  records: RequestRecord[]
  summary: LoadSummary
  events: RunEvent[]
}

export interface LoadHandle {
  /** Date.now() when the run started; event times are relative to it */
  readonly startedAtEpochMs: number
  /** resolves when every request answered or timed out */
  readonly done: Promise<LoadRun>
  /** stops sending new requests */
  stop(): void
  /** notes an event now (or at `epochMs`) for the charts */
  mark(label: string, epochMs?: number): void
}

export class LoadOptionsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LoadOptionsError'
  }
}

export function validate(options: LoadOptions): void {
  const positiveInteger = (value: number | undefined, what: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new LoadOptionsError(`${what} must be a whole number >= 1, got ${value}`)
    }
  }
  positiveInteger(options.connections, 'connections')
  positiveInteger(options.requests, 'requests')
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) {
    throw new LoadOptionsError(`rate must be a number of requests per second > 0, got ${options.rate}`)
  }
  if (options.durationMs !== undefined && !(options.durationMs > 0 && Number.isFinite(options.durationMs))) {
    throw new LoadOptionsError(`duration must be > 0, got ${options.durationMs} ms`)
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new LoadOptionsError(`timeout must be > 0, got ${options.timeoutMs} ms`)
  }
  if (options.requests === undefined && options.durationMs === undefined) {
    throw new LoadOptionsError('a load needs a bound: a number of requests, a duration, or both')
  }
  const retries = options.retry?.retries
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0)) {
    throw new LoadOptionsError(`retries must be a whole number >= 0, got ${retries}`)
  }
}
