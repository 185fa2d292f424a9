/**
 * What the load balancer says about a 502 for reads with both readers stopped (T5 5.2): the
 * servers nginx tried, from its JSON 502 body ("tried: 127.0.0.1:7002, 127.0.0.1:7003"), or the
 * upstream's name ("tried: readers") when no server was live to try. That name alone is no
 * evidence both readers were seen gone (it is also what nginx says when both were ejected
 * passively), and 5.2 accepted it with zero tries. The evidence for it is nginx_lb's own log
 * (the control API's logs, both targets): its last membership change for each reader took that
 * reader out of rotation (lb-log.ts: the lines' formats).
 */
import type { ControlTarget } from '@production-lab/control'
import { COMPOSE_UPSTREAM_ADDRESSES, NATIVE_MEMBERSHIP_CHANGE } from './lb-log.js'

/** The servers a 502 body names as tried, e.g. ["127.0.0.1:7002", "127.0.0.1:7003"] or ["readers"]. */
export function triedServers(message: string): string[] {
  return (
    /tried: (.*)\)/
      .exec(message)?.[1]
      ?.split(',')
      .map((server) => server.trim())
      .filter((server) => server.length > 0) ?? []
  )
}

/**
 * The readers (by `readers`' names, in the upstream's order) whose last membership change in
 * `lines` took them out of rotation; readers with no change in the lines are not listed.
 */
export function readersOutOfRotation(
  lines: string[],
  kind: ControlTarget['kind'],
  readers: readonly string[],
): string[] {
  const out = new Map<string, boolean>()
  for (const line of lines) {
    if (kind === 'native') {
      const [, replica, change] = NATIVE_MEMBERSHIP_CHANGE.exec(line) ?? []
      if (replica && readers.includes(replica)) out.set(replica, change === 'out of rotation')
    } else {
      const servers = COMPOSE_UPSTREAM_ADDRESSES.exec(line)?.[1]?.split(',')
      if (!servers) continue
      readers.forEach((reader, index) => {
        const server = servers[index]
        if (server !== undefined) out.set(reader, server.trim().endsWith(' down'))
      })
    }
  }
  return readers.filter((reader) => out.get(reader) === true)
}
