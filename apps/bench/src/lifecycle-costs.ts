/**
 * What the lifecycle costs outside of requests, per service, on fresh processes:
 *   ready     spawn -> first 200 on /health/ready
 *   idle RSS  resident memory once ready and idle
 *   shutdown  SIGTERM -> exit while idle keep-alive clients stay connected; expected to be
 *             GRACEFUL_SHUTDOWN_DELAY_S plus a few ms (an idle socket must not hold it up)
 */
import { Agent, request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { defaults } from './defaults.js'
import { rssBytesOf } from './proc.js'
import { ProcessGroup } from './processes.js'
import { type ServerSpec, startServer } from './servers.js'
import { median } from './stats.js'

export interface LifecycleSample {
  readyMs: number
  idleRssBytes: number
  shutdownMs: number
  exitCode: number | null
}

export interface LifecycleCosts {
  name: string
  shutdownDelayMs: number
  samples: LifecycleSample[]
  /** medians over the samples */
  readyMs: number
  idleRssBytes: number
  shutdownMs: number
}

/** Opens `count` keep-alive connections (one request each) and leaves them idle. */
async function openIdleKeepAliveClients(origin: string, count: number): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: count })
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          request(`${origin}/health/live`, { agent }, (response) => {
            response.resume()
            response.once('end', resolve)
          })
            .once('error', reject)
            .end()
        }),
    ),
  )
  const idle = Object.values(agent.freeSockets).reduce((sum, sockets) => sum + (sockets?.length ?? 0), 0)
  if (idle !== count) {
    agent.destroy()
    throw new Error(
      `expected ${count} idle keep-alive connections to ${origin}, the client pool holds ${idle}`,
    )
  }
  return agent
}

async function measureOnce(spec: ServerSpec, logDir: string): Promise<LifecycleSample> {
  const group = new ProcessGroup()
  try {
    const server = await startServer(group, spec, logDir)
    await sleep(defaults.idleSettleMs)
    const idleRssBytes = rssBytesOf(server.process.pid)
    const agent = await openIdleKeepAliveClients(server.origin, defaults.idleKeepAliveClients)
    try {
      const signalledAt = performance.now()
      server.process.signal('SIGTERM')
      const exit = await server.process.exited
      return { readyMs: server.readyMs, idleRssBytes, shutdownMs: exit.at - signalledAt, exitCode: exit.code }
    } finally {
      agent.destroy()
    }
  } finally {
    await group.stopAll()
  }
}

/** Measures `samples` fresh processes of the service, one after the other. */
export async function measureLifecycleCosts(
  spec: ServerSpec,
  samples: number,
  logDir: string,
): Promise<LifecycleCosts> {
  const shutdownDelayMs = Number(spec.env.GRACEFUL_SHUTDOWN_DELAY_S ?? Number.NaN) * 1000
  if (!Number.isFinite(shutdownDelayMs)) {
    throw new Error(
      `lifecycle costs of ${spec.name} need GRACEFUL_SHUTDOWN_DELAY_S in its env to know the expected shutdown time`,
    )
  }
  const measured: LifecycleSample[] = []
  for (let i = 0; i < samples; i++) {
    const sample = await measureOnce(spec, logDir)
    if (sample.exitCode !== 0) {
      throw new Error(
        `${spec.name} exited with code ${sample.exitCode} after SIGTERM; expected 0 (see ${logDir}/${spec.name}.log)`,
      )
    }
    measured.push(sample)
  }
  return {
    name: spec.name,
    shutdownDelayMs,
    samples: measured,
    readyMs: median(measured.map((s) => s.readyMs)),
    idleRssBytes: median(measured.map((s) => s.idleRssBytes)),
    shutdownMs: median(measured.map((s) => s.shutdownMs)),
  }
}
