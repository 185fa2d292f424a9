/**
 * The growth section: how the cost grows with the work. GET /read on one reader directly,
 * on one reader behind nginx and on the two readers behind nginx, at rising concurrency
 * (the guide's answer), and at rising response size (`?bytes=N`, 50 clients) on one reader
 * and the two behind nginx. All points alternate in rounds like the other suites; per point:
 * rps, p50, p99, failures, server CPU per request (nginx with its workers), bytes per
 * response and how busy the whole machine was. A point where the machine (servers, load
 * generator and everyone else on it) was at least `machineBoundBusyShare` busy is marked
 * machine-bound: there the 2 cores, not the code, set the throughput.
 */
import { type BenchPlan, defaults } from './defaults.js'
import type { RunningNginx } from './nginx.js'
import { childrenOf } from './proc.js'
import { type CaseSummary, type LoadCase, runRounds } from './rounds.js'
import type { RunningServer } from './servers.js'

export interface GrowthServers {
  reader1: RunningServer
  reader2: RunningServer
  /** in front of both readers (the lab's) */
  nginx: RunningNginx
  /** in front of reader 1 only (reader 2 rendered `down`) */
  oneReaderNginx: RunningNginx
}

export type GrowthTargetId = 'reader-direct' | 'reader-nginx' | 'readers-nginx'

export const GROWTH_TARGET_LABELS: Record<GrowthTargetId, string> = {
  'reader-direct': 'one reader directly',
  'reader-nginx': 'one reader behind nginx',
  'readers-nginx': 'two readers behind nginx',
}

export interface GrowthPoint extends CaseSummary {
  sweep: 'concurrency' | 'size'
  target: GrowthTargetId
  connections: number
  /** the `?bytes=` asked for; 0: none, the guide's answer */
  requestedBytes: number
  /** the whole machine was at least defaults.machineBoundBusyShare busy over the point */
  machineBound: boolean
}

interface Target {
  id: GrowthTargetId
  origin: string
  serverPids: () => number[]
}

function targetsOf(servers: GrowthServers): Record<GrowthTargetId, Target> {
  const nginxPids = (nginx: RunningNginx) => [nginx.process.pid, ...childrenOf(nginx.process.pid)]
  return {
    'reader-direct': {
      id: 'reader-direct',
      origin: servers.reader1.origin,
      serverPids: () => [servers.reader1.process.pid],
    },
    'reader-nginx': {
      id: 'reader-nginx',
      origin: servers.oneReaderNginx.origin,
      serverPids: () => [...nginxPids(servers.oneReaderNginx), servers.reader1.process.pid],
    },
    'readers-nginx': {
      id: 'readers-nginx',
      origin: servers.nginx.origin,
      serverPids: () => [
        ...nginxPids(servers.nginx),
        servers.reader1.process.pid,
        servers.reader2.process.pid,
      ],
    },
  }
}

/** One case per distinct (target, clients, size): the sweeps share the 50-client guide's point. */
const caseId = (target: GrowthTargetId, connections: number, requestedBytes: number) =>
  `${target}-${connections}c-${requestedBytes === 0 ? 'guide' : `${requestedBytes}B`}`

/** The points of both sweeps, in order, before measuring. */
export function growthPlan(plan: Pick<BenchPlan, 'growthConnections' | 'growthResponseBytes'>) {
  const concurrency = (['reader-direct', 'reader-nginx', 'readers-nginx'] as const).flatMap((target) =>
    plan.growthConnections.map((connections) => ({
      sweep: 'concurrency' as const,
      target,
      connections,
      requestedBytes: 0,
    })),
  )
  const size = (['reader-direct', 'readers-nginx'] as const).flatMap((target) =>
    plan.growthResponseBytes.map((requestedBytes) => ({
      sweep: 'size' as const,
      target,
      connections: defaults.connections,
      requestedBytes,
    })),
  )
  return [...concurrency, ...size]
}

/** Distinct load cases of the plan (the sweeps share a point) and their seconds of load in all. */
export function growthLoad(
  plan: Pick<
    BenchPlan,
    'growthConnections' | 'growthResponseBytes' | 'growthRounds' | 'growthPointS' | 'growthWarmupS'
  >,
) {
  const cases = new Set(growthPlan(plan).map((p) => caseId(p.target, p.connections, p.requestedBytes))).size
  return { cases, loadS: cases * (plan.growthRounds * plan.growthPointS + plan.growthWarmupS) }
}

export async function measureGrowth(
  servers: GrowthServers,
  plan: BenchPlan,
  progress: (line: string) => void,
): Promise<GrowthPoint[]> {
  const targets = targetsOf(servers)
  const points = growthPlan(plan)
  const cases = new Map<string, LoadCase>()
  for (const point of points) {
    const target = targets[point.target]
    const query = point.requestedBytes === 0 ? '' : `?bytes=${point.requestedBytes}`
    cases.set(caseId(point.target, point.connections, point.requestedBytes), {
      id: caseId(point.target, point.connections, point.requestedBytes),
      request: { url: `${target.origin}/read${query}`, connections: point.connections },
      serverPids: target.serverPids,
    })
  }
  progress(
    `growth: ${plan.growthRounds} round(s) x ${cases.size} points x ${plan.growthPointS} s (clients ${plan.growthConnections.join(', ')}; bytes ${plan.growthResponseBytes.join(', ')} at ${defaults.connections} clients)`,
  )
  const results = await runRounds(
    [...cases.values()],
    { rounds: plan.growthRounds, durationS: plan.growthPointS, warmupS: plan.growthWarmupS },
    progress,
  )
  return points.map((point) => {
    const id = caseId(point.target, point.connections, point.requestedBytes)
    const summary = results.get(id)
    if (!summary) throw new Error(`no growth results for "${id}"`)
    return {
      ...summary,
      ...point,
      machineBound: (summary.machineBusyShare ?? 0) >= defaults.machineBoundBusyShare,
    }
  })
}
