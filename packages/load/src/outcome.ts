/**
 * What happened to one request, in the classes the reports use: served, the gateway
 * statuses a load balancer produces during failures (502, 503, 504), other HTTP errors,
 * and the transport failures a client sees (connection refused, reset, timeout).
 */

export const OUTCOME_CLASSES = [
  'served',
  'http_4xx',
  'http_502',
  'http_503',
  'http_504',
  'http_5xx',
  'conn_refused',
  'conn_reset',
  'timeout',
  'error',
] as const

export type OutcomeClass = (typeof OUTCOME_CLASSES)[number]

/** Short labels for tables and chart legends. */
export const OUTCOME_LABELS: Record<OutcomeClass, string> = {
  served: 'served',
  http_4xx: '4xx',
  http_502: '502',
  http_503: '503',
  http_504: '504',
  http_5xx: 'other 5xx',
  conn_refused: 'conn refused',
  conn_reset: 'conn reset',
  timeout: 'timeout',
  error: 'other error',
}

export function classifyStatus(status: number): OutcomeClass {
  if (status < 400) return 'served'
  if (status < 500) return 'http_4xx'
  if (status === 502) return 'http_502'
  if (status === 503) return 'http_503'
  if (status === 504) return 'http_504'
  return 'http_5xx'
}

const REFUSED_CODES = new Set(['ECONNREFUSED'])
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED'])
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

/** The error codes along an error's `cause` chain (undici wraps socket errors). */
function codesOf(error: unknown): string[] {
  const codes: string[] = []
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return codes
}

/** Classifies a transport error; `timedOut` says the request was aborted by its own deadline. */
export function classifyError(error: unknown, timedOut = false): OutcomeClass {
  if (timedOut) return 'timeout'
  const codes = codesOf(error)
  if (codes.some((c) => REFUSED_CODES.has(c))) return 'conn_refused'
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'timeout'
  if (codes.some((c) => RESET_CODES.has(c))) return 'conn_reset'
  if ((error as { name?: string })?.name === 'TimeoutError') return 'timeout'
  return 'error'
}

/** A short description of a transport error for the per-request record. */
export function describeError(error: unknown): string {
  const codes = codesOf(error)
  const message = error instanceof Error ? error.message : String(error)
  return codes.length > 0 ? `${codes[0]}: ${message}` : message
}

/** Failures worth retrying by default: the request did not reach a healthy server, or it timed out. */
export const DEFAULT_RETRY_ON: ReadonlySet<OutcomeClass> = new Set<OutcomeClass>([
  'http_502',
  'http_503',
  'http_504',
  'conn_refused',
  'conn_reset',
  'timeout',
])
