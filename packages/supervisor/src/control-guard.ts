/**
 * Who may use the control API. It stops, kills and reconfigures the stack's processes, so on
 * 127.0.0.1 alone it would still be open to every local user and to any web page the user
 * visits (a cross-site POST needs no CORS answer; DNS rebinding makes a page's own host name
 * resolve to 127.0.0.1). So every request must:
 *   - name a loopback Host (127.0.0.1, localhost or [::1]): a rebinding page sends its own name;
 *   - carry no Origin header: browsers add it to cross-site and rebound requests, our clients never do;
 *   - carry `Authorization: Bearer <token>`, the token generated at the stack's start and
 *     stored in a 0600 file (packages/control's token-file.ts).
 * Refusals are JSON with a stable code: 403 FORBIDDEN_HOST / FORBIDDEN_ORIGIN, 401 UNAUTHORIZED.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export type GuardCode = 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN' | 'UNAUTHORIZED'

export interface GuardRefusal {
  status: 401 | 403
  code: GuardCode
  message: string
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The host name of a Host header value, without its port ("[::1]:8089" -> "[::1]"). */
function hostName(host: string): string {
  const value = host.trim().toLowerCase()
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1)
  const colon = value.indexOf(':')
  return colon === -1 ? value : value.slice(0, colon)
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Constant-time comparison (of digests, so lengths leak nothing either). */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/** Why `request` may not use the control API, or null when it may. */
export function refusalOf(request: IncomingMessage, token: string): GuardRefusal | null {
  const host = request.headers.host
  if (host === undefined || !LOOPBACK_HOSTS.has(hostName(host))) {
    return {
      status: 403,
      code: 'FORBIDDEN_HOST',
      message: `Host ${JSON.stringify(host ?? '')} is not a loopback address: the control API answers only to 127.0.0.1, localhost or [::1]`,
    }
  }
  if (request.headers.origin !== undefined) {
    return {
      status: 403,
      code: 'FORBIDDEN_ORIGIN',
      message: 'requests with an Origin header (from a web page) are refused',
    }
  }
  const authorization = request.headers.authorization ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(authorization)
  if (!match?.[1] || !sameToken(match[1], token)) {
    return {
      status: 401,
      code: 'UNAUTHORIZED',
      message: `${authorization === '' ? 'no' : 'a wrong'} bearer token: send "Authorization: Bearer <token>" with the token of the stack's control-token file (pnpm lab reads it)`,
    }
  }
  return null
}
