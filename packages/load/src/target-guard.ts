/**
 * Load goes to this machine only unless the user says otherwise: a typo in a URL must
 * not turn the load generator on someone else's server.
 */
import { loadDefaults } from './defaults.js'

export class LoadTargetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LoadTargetError'
  }
}

function isLoopback(hostname: string): boolean {
  if ((loadDefaults.localHosts as readonly string[]).includes(hostname)) return true
  // The whole 127.0.0.0/8 block is loopback.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}

/** Parses `url` and refuses anything but http(s) on a loopback address unless `allowRemote`. */
export function checkLoadTarget(url: string, allowRemote = false): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new LoadTargetError(
      `target URL ${JSON.stringify(url)} is not a valid absolute URL (e.g. http://127.0.0.1:8080/read)`,
    )
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new LoadTargetError(
      `target URL ${JSON.stringify(url)} must use http: or https:, not ${parsed.protocol}`,
    )
  }
  if (!allowRemote && !isLoopback(parsed.hostname)) {
    throw new LoadTargetError(
      `refusing to load ${parsed.host}: only 127.0.0.1, localhost and ::1 are allowed; pass --allow-remote to load a server you own elsewhere`,
    )
  }
  return parsed
}
