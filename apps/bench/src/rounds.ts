/**
 * Alternating rounds: every case runs once per round, in an order rotated each round, so
 * a noisy moment of the shared machine spreads over all cases instead of one. Each case is
 * warmed up first (JIT, connection pools) and the warm-up is not measured.
 */
import { type LoadRequest, type LoadResult, runLoad } from './load.js'
import { machineBusyShare, machineCpuTicks, peakRssBytesOf, totalCpuSeconds } from './proc.js'
import { median, rotated, spread } from './stats.js'

export interface LoadCase {
  id: string
  request: Omit<LoadRequest, 'durationS'>
  /** the server processes answering this case, whose CPU time is charged to its requests */
  serverPids?: () => number[]
}

export interface RoundResult extends LoadResult {
  /** 0..1: how busy all the machine's cores were over the round (/proc/stat), whoever used them */
  machineBusyShare?: number
  /** server CPU microseconds per successful request (user + system, all server processes) */
  serverCpuUsPerRequest?: number
  /** bytes: the server processes' peak RSS so far (VmHWM, summed), read after the round */
  serverPeakRssBytes?: number
}

export interface RoundsPlan {
  rounds: number
  /** seconds per case per round */
  durationS: number
  /** seconds of unmeasured load per case before the first round; 0 skips it */
  warmupS: number
}

/** The per-round results of one case and their medians. */
export interface CaseSummary {
  id: string
  rounds: RoundResult[]
  rps: number
  p50Ms: number
  p99Ms: number
  /** (max - min) / median of rps over the rounds */
  rpsSpread: number
  /** (max - min) / median of p50 over the rounds */
  p50Spread: number
  /** non-2xx responses plus connection errors, over all rounds */
  failures: number
  /** median server CPU microseconds per request, when the case names its servers */
  serverCpuUsPerRequest?: number
  /** bytes: the largest peak RSS of the server processes over the rounds */
  serverPeakRssBytes?: number
  /** median over the rounds of the machine's busy share (0..1, all cores) */
  machineBusyShare?: number
  /** median bytes per 2xx response as received (headers and body) */
  bytesPerResponse: number
}

export function summarise(id: string, rounds: RoundResult[]): CaseSummary {
  const rps = rounds.map((r) => r.rps)
  const p50 = rounds.map((r) => r.p50Ms)
  const cpu = rounds.flatMap((r) => (r.serverCpuUsPerRequest === undefined ? [] : [r.serverCpuUsPerRequest]))
  const busy = rounds.flatMap((r) => (r.machineBusyShare === undefined ? [] : [r.machineBusyShare]))
  return {
    id,
    rounds,
    rps: median(rps),
    p50Ms: median(p50),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    rpsSpread: spread(rps),
    p50Spread: spread(p50),
    failures: rounds.reduce((sum, r) => sum + r.failed + r.errors, 0),
    bytesPerResponse: median(rounds.map((r) => r.bytesPerResponse)),
    ...(cpu.length > 0 && { serverCpuUsPerRequest: median(cpu) }),
    ...(busy.length > 0 && { machineBusyShare: median(busy) }),
    ...(rounds.some((r) => r.serverPeakRssBytes !== undefined) && {
      serverPeakRssBytes: Math.max(...rounds.map((r) => r.serverPeakRssBytes ?? 0)),
    }),
  }
}

async function measure(loadCase: LoadCase, durationS: number): Promise<RoundResult> {
  const pids = loadCase.serverPids?.() ?? []
  const cpuBefore = totalCpuSeconds(pids)
  const machineBefore = machineCpuTicks()
  const loaded = await runLoad({ ...loadCase.request, durationS })
  const result = { ...loaded, machineBusyShare: machineBusyShare(machineBefore, machineCpuTicks()) }
  if (pids.length === 0) return result
  const cpuUs = (totalCpuSeconds(pids) - cpuBefore) * 1e6
  const serverPeakRssBytes = pids.reduce((sum, pid) => sum + peakRssBytesOf(pid), 0)
  return { ...result, serverCpuUsPerRequest: cpuUs / result.ok, serverPeakRssBytes }
}

export async function runRounds(
  cases: readonly LoadCase[],
  plan: RoundsPlan,
  progress: (line: string) => void,
): Promise<Map<string, CaseSummary>> {
  if (plan.warmupS > 0) {
    for (const loadCase of cases) {
      progress(`warm-up ${loadCase.id}`)
      await runLoad({ ...loadCase.request, durationS: plan.warmupS })
    }
  }
  const results = new Map<string, RoundResult[]>(cases.map((c) => [c.id, []]))
  for (let round = 0; round < plan.rounds; round++) {
    for (const loadCase of rotated(cases, round)) {
      const result = await measure(loadCase, plan.durationS)
      results.get(loadCase.id)?.push(result)
      const cpu =
        result.serverCpuUsPerRequest === undefined
          ? ''
          : `, server CPU ${result.serverCpuUsPerRequest.toFixed(0)} us/request`
      progress(
        `round ${round + 1}/${plan.rounds} ${loadCase.id}: ${result.rps.toFixed(0)} rps, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms${cpu}`,
      )
    }
  }
  return new Map([...results].map(([id, rounds]) => [id, summarise(id, rounds)]))
}
