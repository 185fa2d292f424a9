/**
 * The load generator. Two models:
 * - closed (`connections` N): N workers, each sends its next request when the previous
 *   answered, as N users clicking; throughput follows the server's latency.
 * - open (`rate` R per second): request i is due at start + i/R whatever the server does,
 *   as independent users arriving; latency counts from when a request was due, so a
 *   stalled client or server shows up in the numbers (no coordinated omission).
 * Every run is bounded by a request count and/or a duration (and may be stopped early);
 * requests in flight at the end finish or time out. HTTP goes through one undici Pool
 * with as many keep-alive connections as the concurrency.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { backoffDelayMs } from './backoff.js'
import { loadDefaults } from './defaults.js'
import { LatencyHistogram } from './latency-histogram.js'
import {
  classifyError,
  classifyStatus,
  DEFAULT_RETRY_ON,
  describeError,
  type OutcomeClass,
} from './outcome.js'
import type { RequestRecord, RunEvent } from './record.js'
import { type LoadSummary, summarize } from './summary.js'
import { checkLoadTarget } from './target-guard.js'

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

function validate(options: LoadOptions): void {
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

interface AttemptResult {
  outcome: OutcomeClass
  status: number | null
  label?: string
  detail?: string
}

/** Starts a load and returns at once; `done` resolves with the run. */
export function startLoad(options: LoadOptions): LoadHandle {
  validate(options)
  const target = checkLoadTarget(options.url, options.allowRemote)
  const model = options.rate === undefined ? 'closed' : 'open'
  const connections =
    options.connections ?? (model === 'open' ? loadDefaults.openModelConnections : loadDefaults.connections)
  const timeoutMs = options.timeoutMs ?? loadDefaults.timeoutMs
  const random = options.random ?? Math.random
  const retry = {
    retries: options.retry?.retries ?? 0,
    baseDelayMs: options.retry?.baseDelayMs ?? loadDefaults.retryBaseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? loadDefaults.retryMaxDelayMs,
    retryOn: options.retry?.retryOn ?? DEFAULT_RETRY_ON,
  }
  const base: RequestSpec = {
    path: `${target.pathname}${target.search}`,
    method: (options.method ?? 'GET').toUpperCase(),
    headers: { ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  }
  const pool = new Pool(target.origin, { connections, pipelining: 1 })
  const stopper = new AbortController()
  const onOuterAbort = () => stopper.abort()
  options.signal?.addEventListener('abort', onOuterAbort, { once: true })
  if (options.signal?.aborted) stopper.abort()

  const startedAtEpochMs = Date.now()
  const t0 = performance.now()
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : t0 + options.durationMs
  const records: RequestRecord[] = []
  const events: RunEvent[] = []
  const histogram = new LatencyHistogram()
  let inFlight = 0
  let served = 0

  const attempt = async (spec: RequestSpec): Promise<AttemptResult> => {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    try {
      const response = await pool.request({
        path: spec.path,
        method: spec.method as 'GET',
        headers: spec.headers,
        body: spec.body ?? null,
        signal: controller.signal,
      })
      const body = await response.body.text()
      const described =
        options.describe?.({ status: response.statusCode, headers: response.headers, body }) ?? {}
      return { outcome: classifyStatus(response.statusCode), status: response.statusCode, ...described }
    } catch (error) {
      return { outcome: classifyError(error, timedOut), status: null, detail: describeError(error) }
    } finally {
      clearTimeout(timer)
    }
  }

  /** One logical request: the first attempt and its retries. */
  const execute = async (index: number, sentAt: number): Promise<void> => {
    const custom = options.customize?.(index) ?? {}
    const spec: RequestSpec = { ...base, ...custom, headers: { ...base.headers, ...custom.headers } }
    if (
      spec.body !== undefined &&
      !Object.keys(spec.headers).some((h) => h.toLowerCase() === 'content-type')
    ) {
      spec.headers['content-type'] = 'application/json'
    }
    inFlight++
    let result: AttemptResult
    let attempts = 0
    for (;;) {
      attempts++
      result = await attempt(spec)
      if (attempts > retry.retries || !retry.retryOn.has(result.outcome)) break
      await sleep(backoffDelayMs(retry, attempts - 1, random))
    }
    inFlight--
    const latencyMs = performance.now() - sentAt
    histogram.record(latencyMs)
    if (result.outcome === 'served') served++
    records.push({
      startMs: sentAt - t0,
      latencyMs,
      outcome: result.outcome,
      status: result.status,
      attempts,
      ...(result.label !== undefined && { label: result.label }),
      ...(result.detail !== undefined && { detail: result.detail }),
    })
  }

  const shouldStop = (index: number, at: number) =>
    stopper.signal.aborted || at >= deadline || (options.requests !== undefined && index >= options.requests)

  const runClosed = async () => {
    let next = 0
    const worker = async () => {
      for (;;) {
        const now = performance.now()
        if (shouldStop(next, now)) return
        await execute(next++, now)
      }
    }
    await Promise.all(Array.from({ length: connections }, worker))
  }

  const runOpen = async (rate: number) => {
    const intervalMs = 1000 / rate
    const pending = new Set<Promise<void>>()
    for (let index = 0; ; index++) {
      const dueAt = t0 + index * intervalMs
      if (shouldStop(index, dueAt)) break
      const waitMs = dueAt - performance.now()
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: stopper.signal }).catch(() => undefined)
      if (stopper.signal.aborted) break
      while (pending.size >= loadDefaults.maxInFlight) await Promise.race(pending)
      const request = execute(index, dueAt).finally(() => pending.delete(request))
      pending.add(request)
    }
    await Promise.all(pending)
  }

  let lastProgressAt = t0
  let lastCompleted = 0
  const progressTimer = options.onProgress
    ? setInterval(() => {
        const now = performance.now()
        const completed = records.length
        options.onProgress?.({
          elapsedMs: now - t0,
          completed,
          served,
          failed: completed - served,
          inFlight,
          currentRps: ((completed - lastCompleted) * 1000) / Math.max(1, now - lastProgressAt),
          p99Ms: histogram.percentile(99),
        })
        lastProgressAt = now
        lastCompleted = completed
      }, options.progressIntervalMs ?? loadDefaults.progressIntervalTtyMs)
    : undefined

  const done = (async (): Promise<LoadRun> => {
    try {
      await (options.rate === undefined ? runClosed() : runOpen(options.rate))
    } finally {
      clearInterval(progressTimer)
      options.signal?.removeEventListener('abort', onOuterAbort)
      await pool.close()
    }
    const durationMs = performance.now() - t0
    records.sort((a, b) => a.startMs - b.startMs)
    events.sort((a, b) => a.atMs - b.atMs)
    return {
      name: options.name ?? `${base.method} ${target.href}`,
      model,
      url: target.href,
      method: base.method,
      connections,
      rate: options.rate ?? null,
      startedAt: new Date(startedAtEpochMs).toISOString(),
      startedAtEpochMs,
      durationMs,
      records,
      summary: summarize(records, durationMs),
      events,
    }
  })()

  return {
    startedAtEpochMs,
    done,
    stop: () => stopper.abort(),
    mark: (label, epochMs = Date.now()) => {
      events.push({ atMs: epochMs - startedAtEpochMs, label })
    },
  }
}

/** Runs a load to its end. */
export function runLoad(options: LoadOptions): Promise<LoadRun> {
  return startLoad(options).done
}

/** Reads the lab services' JSON answers: `service` names the replica, `error` the error code. */
export const describeJsonResponse: DescribeResponse = ({ body }) => {
  try {
    const parsed = JSON.parse(body) as { service?: unknown; error?: unknown }
    return {
      ...(typeof parsed.service === 'string' && { label: parsed.service }),
      ...(typeof parsed.error === 'string' && { detail: parsed.error }),
    }
  } catch {
    return {}
  }
}
