/**
 * When nginx_lb has a restarted service back: a service is healthy (its probes answer) a moment
 * before the load balancer sends it traffic again (in compose the follower's readiness probe and
 * reload: 0.1-3 s on a loaded machine). Checks that require every request to succeed "once the
 * service is back" start counting from nginx_lb's own word, not from the probe.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { LOAD_BALANCER_NAME } from './arrange.js'
import { backInRotation } from './lb-log.js'
import type { ScenarioContext } from './types.js'
import { seconds } from './watcher-support.js'

/**
 * nginx_lb's own word that `replica` is back in rotation, followed from its log (lb-log.ts;
 * natively readers only: the writer's single-server upstream is never marked down).
 */
export function followRotation(context: ScenarioContext, replica: string) {
  const backIn = backInRotation(replica)
  const seen: Array<{ atMs: number; line: string }> = []
  const controller = new AbortController()
  const following = context.target
    .followLogs(
      LOAD_BALANCER_NAME,
      (line) => {
        if (line.includes(replica) && !line.startsWith('{')) seen.push({ atMs: Date.now(), line })
      },
      controller.signal,
    )
    .catch(() => undefined)
  return {
    /** epoch ms at which a back-in line arrived after `sinceMs`; throws past `boundMs` */
    async waitBackIn(sinceMs: number, boundMs: number): Promise<number> {
      const deadline = Date.now() + boundMs
      for (;;) {
        const found = seen.find((entry) => entry.atMs >= sinceMs && backIn.test(entry.line))
        if (found) return found.atMs
        if (Date.now() > deadline) {
          const last = seen.slice(-3).map((entry) => entry.line.trim().slice(0, 200))
          throw new Error(
            `nginx_lb did not say ${replica} was back in rotation within ${seconds(boundMs)} of it being ready (its last lines on ${replica}: ${last.length > 0 ? last.join(' | ') : 'none'})`,
          )
        }
        await sleep(50)
      }
    },
    async stop(): Promise<void> {
      controller.abort()
      await following
    },
  }
}
