/**
 * What this package needs from Node, stated once: package.json's `engines` says the same
 * (a test compares them). The extra accept sockets need net's `reusePort` listen option
 * (Node 23.1.0 and 22.12.0, nodejs/node#55408); an older Node silently ignores the option,
 * so the second socket on the port failed with EADDRINUSE after the service had logged
 * "ready". On such a Node the default is one socket, and asking for more is refused before
 * anything listens, in one line that names the version needed.
 */

/** The oldest Node of each line that has net's reusePort; later majors all have it. */
const REUSE_PORT_SINCE: Record<number, [minor: number, patch: number]> = { 22: [12, 0], 23: [1, 0] }
export const MIN_NODE_VERSION = '22.12.0'

export function nodeHasReusePort(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number)
  if (major > 23) return true
  const since = REUSE_PORT_SINCE[major]
  if (!since) return false
  return minor > since[0] || (minor === since[0] && patch >= since[1])
}

/** Why ACCEPT_SOCKETS cannot be honoured on this Node, or undefined when it can. */
export function acceptSocketsUnsupported(
  acceptSockets: number,
  version = process.versions.node,
): string | undefined {
  if (acceptSockets <= 1 || nodeHasReusePort(version)) return undefined
  return `ACCEPT_SOCKETS=${acceptSockets} needs Node >= ${MIN_NODE_VERSION} (net listen's reusePort); this is Node ${version}: upgrade Node, or set ACCEPT_SOCKETS=1`
}
