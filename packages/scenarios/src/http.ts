/**
 * Single HTTP calls of the scenarios (probes, /metrics, /admin, one-off requests), each
 * bounded by a timeout, over one keep-alive agent that the runner closes at the end.
 */
import { Agent, request } from 'undici'

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** milliseconds from send to the end of the body */
  elapsedMs: number
  /** the body parsed as JSON, or undefined when it is not JSON */
  json: unknown
}

export interface HttpOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  headers?: Record<string, string>
  body?: unknown
  /** milliseconds */
  timeoutMs?: number
}

export interface HttpClient {
  call(url: string, options?: HttpOptions): Promise<HttpResponse>
  close(): Promise<void>
}

/** milliseconds a single scenario call may take unless it says otherwise */
const DEFAULT_TIMEOUT_MS = 10_000

export function createHttpClient(): HttpClient {
  const agent = new Agent({ keepAliveTimeout: 2000 })
  return {
    async call(url, options = {}) {
      const started = performance.now()
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
      const hasBody = options.body !== undefined
      let response: Awaited<ReturnType<typeof request>>
      try {
        response = await request(url, {
          method: options.method ?? 'GET',
          dispatcher: agent,
          headers: { ...(hasBody && { 'content-type': 'application/json' }), ...options.headers },
          ...(hasBody && { body: JSON.stringify(options.body) }),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        const reason =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : (error as Error).message
        throw new Error(`${options.method ?? 'GET'} ${url} failed: ${reason}`, { cause: error })
      }
      const text = await response.body.text()
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return {
        status: response.statusCode,
        headers: response.headers,
        text,
        elapsedMs: performance.now() - started,
        json,
      }
    },
    close: () => agent.close(),
  }
}
