/**
 * B3, beyond the guide: overload is shed. With extra CPU work per request and several
 * concurrent clients on one replica, its event loop falls behind; the replica answers
 * 503 OVERLOADED with Retry-After instead of queueing without bound, while /health/live
 * and /metrics (outside the shedding scope) keep answering 200.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { formatMs, startLoad } from '@production-lab/load'
import { READERS } from '@production-lab/stack'
import { clearFaults, serviceUrl, setFaults, waitHealthy } from './arrange.js'
import type { ScenarioContext } from './types.js'

const B3 = {
  /** milliseconds: the services' default SHED_MAX_EVENT_LOOP_DELAY_MS, when the reader's env does not set it */
  defaultMaxEventLoopDelayMs: 200,
  /**
   * CPU per request as a multiple of that threshold: each request blocks the event loop this
   * long, so the loop's mean delay exceeds the threshold (300 ms for the default 200 ms)
   */
  cpuPerThreshold: 1.5,
  /** concurrent clients on the replica's own URL (not through nginx, which would retry the 503s elsewhere) */
  connections: 2,
  /** milliseconds of overload */
  durationMs: 4000,
  /** milliseconds between probe rounds (/health/live and /metrics) during the overload */
  probeEveryMs: 250,
  /**
   * milliseconds a probe may take under overload and still count as answered: it waits for
   * the CPU block in progress, which a busy shared machine stretches
   */
  probeTimeoutMs: 5000,
}

interface ProbeResult {
  path: string
  status: number | null
  elapsedMs: number
}

async function probeWhile(
  context: ScenarioContext,
  baseUrl: string,
  until: Promise<unknown>,
): Promise<ProbeResult[]> {
  let done = false
  const finish = () => {
    done = true
  }
  until.then(finish, finish)
  const results: ProbeResult[] = []
  while (!done) {
    await Promise.all(
      ['/health/live', '/metrics'].map(async (path) => {
        const started = performance.now()
        try {
          const response = await context.http.call(`${baseUrl}${path}`, { timeoutMs: B3.probeTimeoutMs })
          results.push({ path, status: response.status, elapsedMs: response.elapsedMs })
        } catch {
          results.push({ path, status: null, elapsedMs: performance.now() - started })
        }
      }),
    )
    await sleep(B3.probeEveryMs)
  }
  return results
}

/** B3: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function b3Overload(context: ScenarioContext): Promise<void> {
  const reader = READERS[READERS.length - 1]
  if (!reader) throw new Error('the topology lists no reader')
  const baseUrl = serviceUrl(context, reader.name)
  const configured = Number((await context.target.inspect(reader.name)).env.SHED_MAX_EVENT_LOOP_DELAY_MS)
  const thresholdMs = configured > 0 ? configured : B3.defaultMaxEventLoopDelayMs
  const cpuMs = Math.round(thresholdMs * B3.cpuPerThreshold)
  context.progress(
    `${cpuMs} ms of CPU per request on ${reader.name} (shedding above ${thresholdMs} ms of event-loop delay), ${B3.connections} clients`,
  )
  await setFaults(context, reader.name, { cpuMs })
  const load = startLoad({
    name: `GET ${reader.name}/read with ${cpuMs} ms CPU each, ${B3.connections} clients`,
    url: `${baseUrl}/read`,
    connections: B3.connections,
    durationMs: B3.durationMs,
    signal: context.signal,
    describe: ({ body, headers }) => {
      try {
        const parsed = JSON.parse(body) as { error?: string; service?: string }
        if (parsed.error)
          return {
            detail: `${parsed.error}${headers['retry-after'] === undefined ? '' : ' retry-after'}`,
          }
        return parsed.service ? { label: parsed.service } : {}
      } catch {
        return {}
      }
    },
  })
  const probes = await probeWhile(context, baseUrl, load.done)
  const run = await load.done
  context.record(run)
  await clearFaults(context, reader.name)

  const shed = run.records.filter((r) => r.status === 503 && r.detail === 'OVERLOADED retry-after')
  const s = run.summary
  context.check({
    name: `B3 overload on ${reader.name} is shed with 503 OVERLOADED + Retry-After`,
    passed: shed.length > 0 && s.served > 0 && shed.length + s.served === s.requests,
    expected: 'some requests served, the rest 503 OVERLOADED with Retry-After; nothing else',
    actual: `${s.requests} requests: ${s.served} served, ${shed.length} shed (503 OVERLOADED + Retry-After), ${s.requests - s.served - shed.length} other`,
    numbers: { requests: s.requests, served: s.served, shed: shed.length },
  })
  const answered = probes.filter((p) => p.status === 200)
  const slowest = Math.max(0, ...probes.map((p) => p.elapsedMs))
  context.check({
    name: 'B3 /health/live and /metrics keep answering 200 under overload',
    passed: probes.length > 0 && answered.length === probes.length,
    expected: `every probe 200 within ${B3.probeTimeoutMs} ms`,
    actual: `${answered.length}/${probes.length} probes answered 200; slowest ${formatMs(slowest)}`,
    numbers: { probes: probes.length, answered: answered.length, slowestMs: Math.round(slowest) },
  })
  await waitHealthy(context, [reader.name])
}
