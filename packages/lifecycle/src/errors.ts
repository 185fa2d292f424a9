import { STATUS_CODES } from 'node:http'

/**
 * The one error registry. Every error a service answers with has a stable code
 * (the `error` field of the JSON body), an HTTP status and, for 503s, a
 * Retry-After, and says when it is answered (docs/reference/errors.md is generated from
 * it). Clients and dashboards may rely on the codes; never rename one.
 */

export const ErrorCodes = {
  BAD_REQUEST: {
    status: 400,
    message: 'The request is malformed',
    when: "malformed or truncated JSON, an empty JSON body, `__proto__` keys, a bad Idempotency-Key; requests Node's parser refuses (invalid or duplicate Content-Length, Content-Length with Transfer-Encoding, a bare CR/LF in a header, an unknown method): answered on the raw socket, then closed",
  },
  VALIDATION_FAILED: {
    status: 400,
    message: 'The request does not match the schema',
    when: 'the body or query string does not match the route schema (a JSON array, string, number or null for /write; bad fault values; /read?bytes= other than an integer from 0 to the reader maxReadBytes)',
  },
  UNAUTHORIZED: {
    status: 401,
    message: 'A valid admin token is required',
    when: '/admin/* without the right bearer token',
  },
  NOT_FOUND: {
    status: 404,
    message: 'No such route',
    when: 'no such route',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'Method not allowed on this route',
    when: 'a known path with another method (the Allow header names the right ones)',
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    message: 'A request with this Idempotency-Key is still in progress',
    when: 'the same Idempotency-Key while the first request is still running (Retry-After: 1)',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'This Idempotency-Key was used with a different request body',
    when: 'the same Idempotency-Key with a different body',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    message: 'The request was not received in time',
    when: "the request was not received within Node's request timeout (HEADERS_TIMEOUT_S, REQUEST_TIMEOUT_S)",
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'The request body is larger than the limit',
    when: 'a body over BODY_LIMIT_BYTES (Content-Length or chunked)',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'The request body must be application/json',
    when: 'a body that is not application/json',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request headers are larger than the limit',
    when: "request headers over Node's limit (16 KiB)",
  },
  INTERNAL: {
    status: 500,
    message: 'Internal error',
    when: 'a bug (logged with the error)',
  },
  INJECTED_FAULT: {
    status: 500,
    message: 'Fault injected by the lab',
    when: 'the errorRate fault (PUT /admin/faults)',
  },
  SHUTTING_DOWN: {
    status: 503,
    message: 'The service is shutting down',
    when: 'draining after SIGTERM (with Connection: close)',
  },
  OVERLOADED: {
    status: 503,
    message: 'The service is overloaded; retry later',
    when: 'load shedding; or every Idempotency-Key slot is taken by a running request',
  },
  DEPENDENCY_UNAVAILABLE: {
    status: 503,
    message: 'A dependency is unavailable',
    when: 'a breaker-protected call failed or timed out, or the breaker is open',
  },
} as const satisfies Record<string, { status: number; message: string; when: string }>

export type ErrorCode = keyof typeof ErrorCodes

export class ServiceError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  /** Seconds; sent as Retry-After when set. */
  readonly retryAfterS: number | undefined

  constructor(code: ErrorCode, message?: string, options: { retryAfterS?: number; cause?: unknown } = {}) {
    super(message ?? ErrorCodes[code].message, { cause: options.cause })
    this.name = 'ServiceError'
    this.code = code
    this.statusCode = ErrorCodes[code].status
    this.retryAfterS = options.retryAfterS
  }
}

export interface ErrorBody {
  error: ErrorCode
  message: string
  requestId: string
}

/** Fastify's own errors for bad input, mapped to registry codes. */
const fastifyCodeMap: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
}

/** Turns anything thrown in a request into a registry error; unknown errors become INTERNAL. */
export function toServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err
  const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown }
  if (e?.validation) return new ServiceError('VALIDATION_FAILED', e.message, { cause: err })
  const mapped = e?.code ? fastifyCodeMap[e.code] : undefined
  if (mapped) return new ServiceError(mapped, e.message, { cause: err })
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // A client error from Fastify or a plugin that the map above does not name yet.
    const code: ErrorCode = e.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST'
    return new ServiceError(code, e.message, { cause: err })
  }
  return new ServiceError('INTERNAL', undefined, { cause: err })
}

/**
 * Node's HTTP parser codes for requests it refused before Fastify saw them (invalid
 * Content-Length, a bare CR or LF in a header, an unknown method, ...), mapped to registry
 * codes; any other parser error is a 400.
 */
const clientErrorCodeMap: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
}

/**
 * The raw HTTP answer to a request Node's parser refused: the registry body with a fresh
 * request id, on a connection that is then closed (the parser cannot find where the next
 * request would start).
 */
export function clientErrorResponse(error: { code?: string }, requestId: string): string {
  const code: ErrorCode = (error.code ? clientErrorCodeMap[error.code] : undefined) ?? 'BAD_REQUEST'
  const { status } = ErrorCodes[code]
  const message =
    code === 'BAD_REQUEST'
      ? `Malformed HTTP request (${error.code ?? 'parse error'})`
      : ErrorCodes[code].message
  const body = JSON.stringify({ error: code, message, requestId } satisfies ErrorBody)
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n')
}
