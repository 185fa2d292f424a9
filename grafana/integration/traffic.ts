/**
 * Load for the integration run, on 127.0.0.1 only, bounded: steady open-model streams
 * that stop when aborted (or at their deadline), and bursts of a fixed number of requests.
 * Every answer is counted by status, a failed connection as "error": faults are the point.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export interface Counts {
  [status: string]: number
}

export interface RequestSpec {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
}

/** milliseconds a single request may take: above nginx's 5 s proxy_read_timeout */
const REQUEST_TIMEOUT_MS = 7000

async function send(spec: RequestSpec, counts: Counts): Promise<void> {
  let key: string
  try {
    const response = await fetch(spec.url, {
      method: spec.method ?? 'GET',
      headers: spec.headers,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    await response.arrayBuffer()
    key = String(response.status)
  } catch {
    key = 'error'
  }
  counts[key] = (counts[key] ?? 0) + 1
}

/** Sends `ratePerS` requests per second until `signal` aborts or `maxDurationMs` passes. */
export function steady(
  spec: RequestSpec,
  ratePerS: number,
  signal: AbortSignal,
  maxDurationMs: number,
): { counts: Counts; done: Promise<void> } {
  const counts: Counts = {}
  const deadline = Date.now() + maxDurationMs
  const inFlight = new Set<Promise<void>>()
  const done = (async () => {
    while (!signal.aborted && Date.now() < deadline) {
      const request = send(spec, counts).finally(() => inFlight.delete(request))
      inFlight.add(request)
      await sleep(1000 / ratePerS)
    }
    await Promise.all(inFlight)
  })()
  return { counts, done }
}

/** `total` requests, `concurrency` at a time. */
export async function burst(spec: RequestSpec, total: number, concurrency: number): Promise<Counts> {
  const counts: Counts = {}
  let next = 0
  const worker = async () => {
    while (next < total) {
      next++
      await send(spec, counts)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return counts
}

/** Requests `concurrency` at a time for `durationMs`. */
export async function sustained(spec: RequestSpec, durationMs: number, concurrency: number): Promise<Counts> {
  const counts: Counts = {}
  const deadline = Date.now() + durationMs
  const worker = async () => {
    while (Date.now() < deadline) await send(spec, counts)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return counts
}
