/**
 * One probe round of a target: GET /health/live and GET /health/ready in parallel, both bounded
 * by the probe timeout and by the watcher's shutdown signal, classified into a Sample.
 * Liveness decides dead or alive; readiness (and the lifecycle state liveness reports) tells
 * up, degraded and draining apart.
 */
import { performance } from 'node:perf_hooks'
import { type Dispatcher, request } from 'undici'
import type { Sample } from './target-tracker.js'

export type ProbeResultKind = 'ok' | 'fail' | 'timeout' | 'error'

export interface ProbeCall {
  result: ProbeResultKind
  /** HTTP status, when there was an answer */
  status: number | null
  durationMs: number
  /** the answer's JSON body, or the error text */
  detail: unknown
}

export interface ProbeRound {
  sample: Sample
  live: ProbeCall
  ready: ProbeCall
  /** milliseconds since the epoch */
  at: number
}

export interface ProbeOptions {
  dispatcher: Dispatcher
  timeoutMs: number
  /** aborts the probe when the watcher shuts down */
  signal: AbortSignal
}

export async function probeTarget(baseUrl: string, options: ProbeOptions): Promise<ProbeRound> {
  const at = Date.now()
  const deadline = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
  const [live, ready] = await Promise.all([
    call(`${baseUrl}/health/live`, options.dispatcher, deadline, options.timeoutMs),
    call(`${baseUrl}/health/ready`, options.dispatcher, deadline, options.timeoutMs),
  ])
  return { sample: classify(live, ready), live, ready, at }
}

export function classify(live: ProbeCall, ready: ProbeCall): Sample {
  if (live.result !== 'ok') {
    const why = live.status === null ? String(live.detail) : `HTTP ${live.status}`
    return { kind: 'dead', error: `liveness ${live.result}: ${why}`, timedOut: live.result === 'timeout' }
  }
  const liveState = (live.detail as { state?: unknown } | null)?.state
  const reasons = (ready.detail as { reasons?: unknown } | null)?.reasons
  const reasonList = Array.isArray(reasons) ? reasons.map(String) : []
  if (liveState === 'draining' || reasonList.includes('draining')) return { kind: 'draining' }
  if (ready.result === 'ok') return { kind: 'healthy' }
  return { kind: 'not_ready', reasons: reasonList.length > 0 ? reasonList : [`readiness ${ready.result}`] }
}

async function call(
  url: string,
  dispatcher: Dispatcher,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ProbeCall> {
  const started = performance.now()
  const elapsed = () => performance.now() - started
  try {
    // reset: a fresh connection per probe, so a restarted target is never probed over a dead socket.
    const response = await request(url, {
      dispatcher,
      signal,
      reset: true,
      headers: { accept: 'application/json' },
    })
    const text = await response.body.text()
    let detail: unknown = text
    try {
      detail = JSON.parse(text)
    } catch {
      // Not JSON: keep the text, the status decides anyway.
    }
    const result = response.statusCode === 200 ? 'ok' : 'fail'
    return { result, status: response.statusCode, durationMs: elapsed(), detail }
  } catch (error) {
    const timedOut = signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError'
    const message = timedOut ? `no answer within ${timeoutMs} ms` : describe(error)
    return { result: timedOut ? 'timeout' : 'error', status: null, durationMs: elapsed(), detail: message }
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } }
  const code = e.code ?? e.cause?.code
  return code ? `${code}: ${e.message}` : String(e.message ?? error)
}
