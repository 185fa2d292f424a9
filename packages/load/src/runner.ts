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
import type {
  DescribeResponse,
  LoadHandle,
  LoadOptions,
  LoadProgress,
  LoadRun,
  RequestSpec,
} from './load-options.js'
import { validate } from './load-options.js'
import {
  classifyError,
  classifyStatus,
  DEFAULT_RETRY_ON,
  describeError,
  type OutcomeClass,
} from './outcome.js'
import type { RequestRecord, RunEvent } from './record.js'
import { summarize } from './summary.js'
import { checkLoadTarget } from './target-guard.js'

interface AttemptResult {
  outcome: OutcomeClass
  status: number | null
  label?: string
  detail?: string
}

/** The options with every default filled in. */
function settingsOf(options: LoadOptions) {
  const target = checkLoadTarget(options.url, options.allowRemote)
  const model: LoadRun['model'] = options.rate === undefined ? 'closed' : 'open'
  const base: RequestSpec = {
    path: `${target.pathname}${target.search}`,
    method: (options.method ?? 'GET').toUpperCase(),
    headers: { ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  }
  return {
    target,
    model,
    base,
    connections:
      options.connections ??
      (model === 'open' ? loadDefaults.openModelConnections : loadDefaults.connections),
    timeoutMs: options.timeoutMs ?? loadDefaults.timeoutMs,
    random: options.random ?? Math.random,
    retry: {
      retries: options.retry?.retries ?? 0,
      baseDelayMs: options.retry?.baseDelayMs ?? loadDefaults.retryBaseDelayMs,
      maxDelayMs: options.retry?.maxDelayMs ?? loadDefaults.retryMaxDelayMs,
      retryOn: options.retry?.retryOn ?? DEFAULT_RETRY_ON,
    },
  }
}

type Settings = ReturnType<typeof settingsOf>

/** One attempt of one request on the pool, bounded by the timeout. */
async function attempt(
  pool: Pool,
  spec: RequestSpec,
  timeoutMs: number,
  describe: LoadOptions['describe'],
): Promise<AttemptResult> {
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
    const described = describe?.({ status: response.statusCode, headers: response.headers, body }) ?? {}
    return { outcome: classifyStatus(response.statusCode), status: response.statusCode, ...described }
  } catch (error) {
    return { outcome: classifyError(error, timedOut), status: null, detail: describeError(error) }
  } finally {
    clearTimeout(timer)
  }
}

/** What a run has seen so far: its records, events, latency histogram and counters; t0 is its clock's zero. */
class RunLog {
  readonly records: RequestRecord[] = []
  readonly events: RunEvent[] = []
  readonly histogram = new LatencyHistogram()
  inFlight = 0
  served = 0
  constructor(readonly t0: number) {}

  record(sentAt: number, result: AttemptResult, attempts: number): void {
    const latencyMs = performance.now() - sentAt
    this.histogram.record(latencyMs)
    if (result.outcome === 'served') this.served++
    this.records.push({
      startMs: sentAt - this.t0,
      latencyMs,
      outcome: result.outcome,
      status: result.status,
      attempts,
      ...(result.label !== undefined && { label: result.label }),
      ...(result.detail !== undefined && { detail: result.detail }),
    })
  }
}

/** One logical request: the first attempt and its retries, recorded once. */
async function execute(
  options: LoadOptions,
  settings: Settings,
  pool: Pool,
  log: RunLog,
  index: number,
  sentAt: number,
): Promise<void> {
  const { base, retry } = settings
  const custom = options.customize?.(index) ?? {}
  const spec: RequestSpec = { ...base, ...custom, headers: { ...base.headers, ...custom.headers } }
  if (spec.body !== undefined && !Object.keys(spec.headers).some((h) => h.toLowerCase() === 'content-type')) {
    spec.headers['content-type'] = 'application/json'
  }
  log.inFlight++
  let result: AttemptResult
  let attempts = 0
  for (;;) {
    attempts++
    result = await attempt(pool, spec, settings.timeoutMs, options.describe)
    if (attempts > retry.retries || !retry.retryOn.has(result.outcome)) break
    await sleep(backoffDelayMs(retry, attempts - 1, settings.random))
  }
  log.inFlight--
  log.record(sentAt, result, attempts)
}

type Send = (index: number, sentAt: number) => Promise<void>
type ShouldStop = (index: number, at: number) => boolean

/** Closed model: `connections` workers, each sending its next request when the previous answered. */
async function runClosed(connections: number, shouldStop: ShouldStop, send: Send): Promise<void> {
  let next = 0
  const worker = async () => {
    for (;;) {
      const now = performance.now()
      if (shouldStop(next, now)) return
      await send(next++, now)
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
}

/** Open model: request i is due at t0 + i/rate, whatever the server does. */
async function runOpen(rate: number, t0: number, stop: AbortSignal, shouldStop: ShouldStop, send: Send) {
  const intervalMs = 1000 / rate
  const pending = new Set<Promise<void>>()
  for (let index = 0; ; index++) {
    const dueAt = t0 + index * intervalMs
    if (shouldStop(index, dueAt)) break
    const waitMs = dueAt - performance.now()
    if (waitMs > 0) await sleep(waitMs, undefined, { signal: stop }).catch(() => undefined)
    if (stop.aborted) break
    while (pending.size >= loadDefaults.maxInFlight) await Promise.race(pending)
    const request = send(index, dueAt).finally(() => pending.delete(request))
    pending.add(request)
  }
  await Promise.all(pending)
}

/** Calls onProgress every interval with the run's numbers since the previous call. */
function reportProgress(options: LoadOptions, log: RunLog): NodeJS.Timeout | undefined {
  const onProgress = options.onProgress
  if (!onProgress) return undefined
  let lastProgressAt = log.t0
  let lastCompleted = 0
  return setInterval(() => {
    const now = performance.now()
    const completed = log.records.length
    const progress: LoadProgress = {
      elapsedMs: now - log.t0,
      completed,
      served: log.served,
      failed: completed - log.served,
      inFlight: log.inFlight,
      currentRps: ((completed - lastCompleted) * 1000) / Math.max(1, now - lastProgressAt),
      p99Ms: log.histogram.percentile(99),
    }
    onProgress(progress)
    lastProgressAt = now
    lastCompleted = completed
  }, options.progressIntervalMs ?? loadDefaults.progressIntervalTtyMs)
}

/** The finished run, its records and events in time order. */
function runResult(options: LoadOptions, settings: Settings, log: RunLog, startedAtEpochMs: number): LoadRun {
  const durationMs = performance.now() - log.t0
  log.records.sort((a, b) => a.startMs - b.startMs)
  log.events.sort((a, b) => a.atMs - b.atMs)
  return {
    name: options.name ?? `${settings.base.method} ${settings.target.href}`,
    model: settings.model,
    url: settings.target.href,
    method: settings.base.method,
    connections: settings.connections,
    rate: options.rate ?? null,
    startedAt: new Date(startedAtEpochMs).toISOString(),
    startedAtEpochMs,
    durationMs,
    records: log.records,
    summary: summarize(log.records, durationMs),
    events: log.events,
  }
}

/** Starts a load and returns at once; `done` resolves with the run. */
export function startLoad(options: LoadOptions): LoadHandle {
  validate(options)
  const settings = settingsOf(options)
  const pool = new Pool(settings.target.origin, { connections: settings.connections, pipelining: 1 })
  const stopper = new AbortController()
  const onOuterAbort = () => stopper.abort()
  options.signal?.addEventListener('abort', onOuterAbort, { once: true })
  if (options.signal?.aborted) stopper.abort()

  const startedAtEpochMs = Date.now()
  const log = new RunLog(performance.now())
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : log.t0 + options.durationMs
  const shouldStop: ShouldStop = (index, at) =>
    stopper.signal.aborted || at >= deadline || (options.requests !== undefined && index >= options.requests)
  const send: Send = (index, sentAt) => execute(options, settings, pool, log, index, sentAt)
  const progressTimer = reportProgress(options, log)

  const done = (async (): Promise<LoadRun> => {
    try {
      await (options.rate === undefined
        ? runClosed(settings.connections, shouldStop, send)
        : runOpen(options.rate, log.t0, stopper.signal, shouldStop, send))
    } finally {
      clearInterval(progressTimer)
      options.signal?.removeEventListener('abort', onOuterAbort)
      await pool.close()
    }
    return runResult(options, settings, log, startedAtEpochMs)
  })()

  return {
    startedAtEpochMs,
    done,
    stop: () => stopper.abort(),
    mark: (label, epochMs = Date.now()) => {
      log.events.push({ atMs: epochMs - startedAtEpochMs, label })
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
