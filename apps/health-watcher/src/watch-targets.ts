/**
 * What the watcher watches: a name the adapter knows (the guide's container name, e.g.
 * app_fast_1) and the base URL its probes go to. By default the native stack's apps from the
 * topology; WATCH_TARGETS overrides it (required for docker, where URLs are compose DNS names).
 */
import { APP_SERVICES, appPort, HEALTH_WATCHER } from '@production-lab/stack'

export interface WatchTarget {
  name: string
  /** base URL; the probes are GET <url>/health/live and <url>/health/ready */
  url: string
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/
const EXAMPLE = '[{"name":"app_fast_1","url":"http://127.0.0.1:7002"}]'

/** The native stack's apps (of this port offset), the watcher itself excluded. */
export function topologyTargets(offset: number): WatchTarget[] {
  return APP_SERVICES.filter((service) => service !== HEALTH_WATCHER).map((service) => ({
    name: service.name,
    url: `http://127.0.0.1:${appPort(service, offset)}`,
  }))
}

/** Parses WATCH_TARGETS; throws an Error whose message names the variable and what is wrong. */
export function parseWatchTargets(raw: string | undefined, adapter: string, offset: number): WatchTarget[] {
  if (raw === undefined) {
    if (adapter === 'docker') {
      throw new Error(
        `WATCH_TARGETS is required when WATCHER_ADAPTER=docker: expected JSON like ${EXAMPLE} with compose DNS names`,
      )
    }
    return topologyTargets(offset)
  }
  const invalid = (why: string) =>
    new Error(`WATCH_TARGETS=${JSON.stringify(raw)} is invalid: ${why}; expected JSON like ${EXAMPLE}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (error) {
    throw invalid(`not JSON (${(error as Error).message})`)
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw invalid('expected a non-empty array')
  const seen = new Set<string>()
  return parsed.map((entry, index) => {
    const { name, url } = (entry ?? {}) as { name?: unknown; url?: unknown }
    if (typeof name !== 'string' || !NAME.test(name))
      throw invalid(`entry ${index}: "name" must match ${NAME.source}`)
    if (seen.has(name)) throw invalid(`entry ${index}: "${name}" is listed twice`)
    seen.add(name)
    if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw invalid(`entry ${index} (${name}): "url" must be an http(s) URL`)
    }
    return { name, url: url.replace(/\/+$/, '') }
  })
}
