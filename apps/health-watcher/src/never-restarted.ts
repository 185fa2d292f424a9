/**
 * Containers the docker adapter never stops or restarts, whatever their labels say: the load
 * balancer (a restart of nginx_lb cuts every client at once, and its health is not an app's)
 * and the watcher itself (restarting itself would kill the restart in progress, and a watcher
 * stuck in a loop of self-restarts heals nothing). A mislabelled compose file or WATCH_TARGETS
 * naming them must not be enough; the opt-in label is checked on top of this.
 */
import { hostname } from 'node:os'
import { canonicalName, HEALTH_WATCHER } from '@production-lab/stack'

/** The load balancer's container name in every stack (topology's INFRA_SERVICES). */
const LOAD_BALANCER = 'nginx_lb'

/**
 * Why `name` (container id `containerId`) is never restarted, or undefined when it may be.
 * `ownHostname` is the watcher's: inside a container Docker and podman make it the short
 * container id, so a container whose id starts with it is the watcher's own, under any name.
 */
export function neverRestartedReason(
  name: string,
  containerId: string,
  ownHostname: string = hostname(),
): string | undefined {
  if (/^[0-9a-f]{12,64}$/.test(ownHostname) && containerId.startsWith(ownHostname))
    return 'this watcher itself'
  const canonical = canonicalName(name) ?? name
  if (canonical === LOAD_BALANCER) return 'the load balancer'
  if (canonical === HEALTH_WATCHER.name) return 'the health-watcher'
  return undefined
}
