/**
 * The two load suites of a run, over servers already started:
 *   throughput       five rows at 50 clients in alternating rounds, ratios within rounds
 *   latency fidelity /read and /write at 1 and 50 clients, directly and through nginx
 * /read at 50 clients is the same measurement as the two reader rows of the throughput
 * suite, so the fidelity suite reuses them instead of measuring them twice.
 */
import { type BenchPlan, defaults } from './defaults.js'
import type { RunningNginx } from './nginx.js'
import { childrenOf } from './proc.js'
import type { FidelityRow, LayerRow, PeerRow } from './report.js'
import { type CaseSummary, type LoadCase, runRounds } from './rounds.js'
import type { RunningServer } from './servers.js'
import { medianRatio } from './stats.js'

export interface SuiteServers {
  bare: RunningServer
  lifecycleAllOn: RunningServer
  lifecycleNoLog: RunningServer
  peerTwoLines: RunningServer
  peerOneLine: RunningServer
  reader1: RunningServer
  reader2: RunningServer
  writer: RunningServer
  nginx: RunningNginx
}

type Progress = (line: string) => void

const read = (origin: string, connections: number) => ({ url: `${origin}/read`, connections })
const write = (origin: string, connections: number) => ({
  url: `${origin}/write`,
  method: 'POST' as const,
  connections,
})
const pidsOf =
  (...servers: RunningServer[]) =>
  () =>
    servers.map((server) => server.process.pid)

function pick(results: Map<string, CaseSummary>, id: string): CaseSummary {
  const found = results.get(id)
  if (!found) throw new Error(`no results for "${id}"`)
  return found
}

export async function measureThroughput(servers: SuiteServers, plan: BenchPlan, progress: Progress) {
  const { nginx } = servers
  const many = defaults.connections
  const nginxAndReaders = () => [
    nginx.process.pid,
    ...childrenOf(nginx.process.pid),
    ...pidsOf(servers.reader1, servers.reader2)(),
  ]
  const cases: LoadCase[] = [
    { id: 'bare-fastify', request: read(servers.bare.origin, many), serverPids: pidsOf(servers.bare) },
    {
      id: 'lifecycle-all-on',
      request: read(servers.lifecycleAllOn.origin, many),
      serverPids: pidsOf(servers.lifecycleAllOn),
    },
    {
      id: 'lifecycle-no-log',
      request: read(servers.lifecycleNoLog.origin, many),
      serverPids: pidsOf(servers.lifecycleNoLog),
    },
    {
      id: 'peer-2-lines',
      request: read(servers.peerTwoLines.origin, many),
      serverPids: pidsOf(servers.peerTwoLines),
    },
    {
      id: 'peer-1-line',
      request: read(servers.peerOneLine.origin, many),
      serverPids: pidsOf(servers.peerOneLine),
    },
    { id: 'reader-direct', request: read(servers.reader1.origin, many), serverPids: pidsOf(servers.reader1) },
    { id: 'readers-nginx', request: read(nginx.origin, many), serverPids: nginxAndReaders },
  ]
  progress(`throughput: ${plan.rounds} rounds x ${cases.length} rows x ${plan.roundDurationS} s`)
  const results = await runRounds(
    cases,
    { rounds: plan.rounds, durationS: plan.roundDurationS, warmupS: plan.warmupS },
    progress,
  )
  const rpsOf = (id: string) => pick(results, id).rounds.map((r) => r.rps)
  const row = (id: string, label: string, routeDelayMs: number, baseline?: string): LayerRow => ({
    ...pick(results, id),
    label,
    routeDelayMs,
    ...(baseline !== undefined && { ratio: { to: baseline, ...medianRatio(rpsOf(id), rpsOf(baseline)) } }),
  })
  const layers: LayerRow[] = [
    row('bare-fastify', 'bare Fastify (baseline)', defaults.layerDelayMs),
    row('lifecycle-all-on', 'lifecycle, everything on', defaults.layerDelayMs, 'bare-fastify'),
    row('lifecycle-no-log', 'lifecycle, LOG_REQUESTS=false', defaults.layerDelayMs, 'bare-fastify'),
    row('peer-2-lines', "peer stack, Fastify's 2 request lines", defaults.layerDelayMs, 'bare-fastify'),
    row('peer-1-line', 'peer stack, 1 request line', defaults.layerDelayMs, 'bare-fastify'),
    row('reader-direct', 'reader directly', defaults.readDelayMs),
    row('readers-nginx', 'readers through nginx', defaults.readDelayMs, 'reader-direct'),
  ]
  const cpuOf = (id: string) => pick(results, id).rounds.map((r) => r.serverCpuUsPerRequest ?? Number.NaN)
  const peers: PeerRow[] = ['peer-2-lines', 'peer-1-line'].map((peer) => ({
    peer,
    label: layers.find((l) => l.id === peer)?.label ?? peer,
    rps: medianRatio(rpsOf('lifecycle-all-on'), rpsOf(peer)),
    cpuPerRequest: medianRatio(cpuOf('lifecycle-all-on'), cpuOf(peer)),
  }))
  return { layers, peers, results }
}

export async function measureFidelity(
  servers: SuiteServers,
  throughputResults: Map<string, CaseSummary>,
  plan: BenchPlan,
  progress: Progress,
): Promise<FidelityRow[]> {
  const { nginx } = servers
  const [few, many] = defaults.fidelityConnections
  const cases: LoadCase[] = [
    { id: `read-direct-${few}`, request: read(servers.reader1.origin, few) },
    { id: `read-nginx-${few}`, request: read(nginx.origin, few) },
    { id: `write-direct-${few}`, request: write(servers.writer.origin, few) },
    { id: `write-direct-${many}`, request: write(servers.writer.origin, many) },
    { id: `write-nginx-${few}`, request: write(nginx.origin, few) },
    { id: `write-nginx-${many}`, request: write(nginx.origin, many) },
  ]
  progress(
    `latency fidelity: ${plan.fidelityRounds} round(s) x ${cases.length} cases x ${plan.fidelityDurationS} s`,
  )
  const results = await runRounds(
    cases,
    { rounds: plan.fidelityRounds, durationS: plan.fidelityDurationS, warmupS: 0 },
    progress,
  )
  const all = new Map([...throughputResults, ...results])
  const row = (
    path: FidelityRow['path'],
    via: FidelityRow['via'],
    connections: number,
    id: string,
  ): FidelityRow => ({
    path,
    via,
    connections,
    configuredMs: path === '/read' ? defaults.readDelayMs : defaults.writeDelayMs,
    summary: pick(all, id),
  })
  return [
    row('/read', 'direct', few, `read-direct-${few}`),
    row('/read', 'direct', many, 'reader-direct'),
    row('/read', 'nginx', few, `read-nginx-${few}`),
    row('/read', 'nginx', many, 'readers-nginx'),
    row('/write', 'direct', few, `write-direct-${few}`),
    row('/write', 'direct', many, `write-direct-${many}`),
    row('/write', 'nginx', few, `write-nginx-${few}`),
    row('/write', 'nginx', many, `write-nginx-${many}`),
  ]
}
