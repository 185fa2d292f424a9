/**
 * T5, the guide's timeouts and error handling: with a 6 s delay injected on both readers,
 * nginx answers 504 after 5 s (a read's two tries of 2.5 s each: nginx.conf.template); with
 * both readers stopped it answers 502 at once, after trying both, or without trying either when
 * nginx_lb's log shows it took both out of rotation (lb-tries.ts). Faults are set on each
 * reader's own URL with the admin
 * token (the load balancer never routes /admin).
 */

import { setTimeout as sleep } from 'node:timers/promises'
import { formatMs } from '@production-lab/load'
import { READERS } from '@production-lab/stack'
import { clearFaults, LOAD_BALANCER_NAME, lbForgetsGoneMs, lbUrl, setFaults } from './arrange.js'
import { readersOutOfRotation, triedServers } from './lb-tries.js'
import type { ScenarioContext } from './types.js'

const T5 = {
  /** milliseconds injected on every read: above nginx's proxy_read_timeout (5 s) */
  injectedLatencyMs: 6000,
  /** seconds: a read's whole time in nginx (two tries of proxy_read_timeout 2.5 s), the guide's */
  proxyReadTimeoutS: 5,
  /** accepted 504 timing, seconds: the timeout, plus scheduling slack on a shared machine */
  gatewayTimeoutRangeS: [4.8, 7],
  /** milliseconds: "quickly" for a 502 from two refused connections */
  quick502Ms: 2000,
  /** milliseconds a client waits for the load balancer's answer */
  clientTimeoutMs: 20_000,
  /** nginx_lb log lines read for its membership changes (nothing else reads through it meanwhile) */
  lbLogTail: 500,
}

/** T5: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function t5Timeouts(context: ScenarioContext): Promise<void> {
  context.progress(`injecting ${T5.injectedLatencyMs} ms of latency on both readers`)
  for (const reader of READERS) await setFaults(context, reader.name, { latencyMs: T5.injectedLatencyMs })
  const slow = await context.http.call(lbUrl(context, '/read'), { timeoutMs: T5.clientTimeoutMs })
  for (const reader of READERS) await clearFaults(context, reader.name)
  const [low, high] = T5.gatewayTimeoutRangeS as [number, number]
  const seconds = slow.elapsedMs / 1000
  context.check({
    name: `5.1 a backend slower than ${T5.proxyReadTimeoutS} s gets 504 after about ${T5.proxyReadTimeoutS} s`,
    passed: slow.status === 504 && seconds >= low && seconds <= high,
    expected: `504 Gateway Timeout after ${low}-${high} s (each of the two tries times out after ${T5.proxyReadTimeoutS / 2} s)`,
    actual: `${slow.status} after ${formatMs(slow.elapsedMs)}: ${slow.text.trim().slice(0, 160)}`,
    numbers: { status: slow.status, elapsedMs: Math.round(slow.elapsedMs) },
  })

  context.progress('stopping both readers')
  await Promise.all(READERS.map((reader) => context.target.stop(reader.name)))
  // The guide's user types the curl after `docker stop` returned; in compose nginx_lb
  // needs a moment to let go of the vanished addresses (lbForgetsGoneMs).
  const forgetMs = lbForgetsGoneMs(context)
  await sleep(forgetMs)
  const down = await context.http.call(lbUrl(context, '/read'), { timeoutMs: T5.clientTimeoutMs })
  // nginx's 502 page names every server it tried, or the upstream's name when none was live
  // (both stacks render a stopped reader `down`, docs/load-balancing.md): then nginx_lb's log
  // must show both taken out of rotation (lb-tries.ts).
  const message = (down.json as { message?: string } | undefined)?.message ?? down.text
  const tried = triedServers(message)
  const bothTried =
    tried.length === READERS.length && new Set(tried).size === READERS.length && !tried.includes('readers')
  const knewAllDown = tried.length === 1 && tried[0] === 'readers'
  const readerNames = READERS.map((reader) => reader.name)
  const out = knewAllDown
    ? readersOutOfRotation(
        await context.target.logs(LOAD_BALANCER_NAME, { tail: T5.lbLogTail }),
        context.target.kind,
        readerNames,
      )
    : []
  const knownDown = knewAllDown && out.length === READERS.length
  context.check({
    name: '5.2 both readers stopped: 502 quickly, nginx knowing or finding both gone',
    passed: down.status === 502 && down.elapsedMs <= T5.quick502Ms && (bothTried || knownDown),
    expected: `502 within ${T5.quick502Ms} ms, nginx having tried ${READERS.length} different servers, or none (the upstream "readers" had no live server) with ${LOAD_BALANCER_NAME}'s log showing ${readerNames.join(' and ')} taken out of rotation${forgetMs > 0 ? ` (asked ${formatMs(forgetMs)} after the stop)` : ''}`,
    actual: `${down.status} after ${formatMs(down.elapsedMs)}; tried ${tried.length > 0 ? tried.join(', ') : 'unknown'}${knewAllDown ? `; out of rotation in ${LOAD_BALANCER_NAME}'s log: ${out.length > 0 ? out.join(', ') : 'neither reader'}` : ''}`,
    numbers: {
      status: down.status,
      elapsedMs: Math.round(down.elapsedMs),
      serversTried: tried.length,
      readersOutOfRotation: out.length,
    },
  })
}
