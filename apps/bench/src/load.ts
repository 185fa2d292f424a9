/**
 * One bounded burst of closed-model load with autocannon (keep-alive connections, each
 * sends its next request when the previous answer arrives). The servers run in other
 * processes; this process only generates load. Latencies are recorded from autocannon's
 * per-response event at full precision (its own histogram rounds to whole milliseconds,
 * too coarse to tell 5.4 ms from 6.0 ms) and percentiles are exact.
 */
import autocannon from 'autocannon'
import { percentileOfSorted } from './stats.js'

export interface LoadRequest {
  url: string
  method?: 'GET' | 'POST'
  /** concurrent keep-alive connections */
  connections: number
  /** seconds */
  durationS: number
}

export interface LoadResult {
  /** successful (2xx) responses per second over the run */
  rps: number
  /** milliseconds, over 2xx responses */
  p50Ms: number
  /** milliseconds, over 2xx responses */
  p99Ms: number
  ok: number
  /** non-2xx responses */
  failed: number
  /** connection errors and timeouts */
  errors: number
  /** bytes per 2xx response as received (status line, headers and body) */
  bytesPerResponse: number
}

/** "12 x 503, 3 x 502", or "no HTTP answer" */
function describe(statuses: Map<number, number>): string {
  if (statuses.size === 0) return 'no HTTP answer'
  return [...statuses].map(([status, count]) => `${count} x ${status}`).join(', ')
}

/** Runs the load; rejects when nothing succeeded, since every figure would be meaningless. */
export function runLoad(request: LoadRequest): Promise<LoadResult> {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let failed = 0
  let okBytes = 0
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        method: request.method ?? 'GET',
        connections: request.connections,
        duration: request.durationS,
        // A stuck request should show up as an error, not as a round that never ends.
        timeout: 10,
      },
      (error, result) => {
        if (error) return reject(new Error(`load on ${request.url} failed: ${error.message}`))
        const elapsedS = (result.finish.getTime() - result.start.getTime()) / 1000
        const errors = result.errors + result.timeouts
        if (latencies.length === 0) {
          return reject(
            new Error(
              `load on ${request.url} got no successful response in ${elapsedS.toFixed(1)} s (${describe(statuses)}, ${errors} connection errors or timeouts): ${failed > 0 ? 'every answer was an error (503: the service shed load, the machine may be overloaded; 502: nginx found no upstream)' : 'is the server up?'}`,
            ),
          )
        }
        const sorted = Float64Array.from(latencies).sort()
        resolve({
          rps: latencies.length / elapsedS,
          p50Ms: percentileOfSorted(sorted, 50),
          p99Ms: percentileOfSorted(sorted, 99),
          ok: latencies.length,
          failed,
          errors,
          bytesPerResponse: okBytes / latencies.length,
        })
      },
    )
    instance.on('response', (_client, statusCode, bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) {
        latencies.push(responseTimeMs)
        okBytes += bytes
      } else {
        failed++
        statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
      }
    })
  })
}
