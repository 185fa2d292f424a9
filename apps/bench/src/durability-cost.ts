/**
 * What durability costs a write (docs/durable-writes.md): POST /write directly at 1 and 50
 * clients on three writers that differ only in storage: the database in memory (the
 * baseline: nothing survives), SQLite synchronous NORMAL (survives a crash, not a power
 * loss) and FULL (the lab's default: every commit synced). The simulated 50 ms of I/O stays
 * on top, as in the lab. Alternating rounds; ratios to the baseline are taken within a round.
 * End-to-end latency on a busy machine is noisy, so each writer's own commit histogram
 * (writer_store_commit_duration_seconds) gives the commit's cost directly, as a mean.
 */
import { formatMarkdownTable } from '@production-lab/load'
import { type BenchPlan, defaults } from './defaults.js'
import { type CaseSummary, type LoadCase, runRounds } from './rounds.js'
import type { RunningServer } from './servers.js'
import { medianRatio } from './stats.js'
import { ms } from './table.js'

export const STORAGES = ['memory', 'NORMAL', 'FULL'] as const
export type Storage = (typeof STORAGES)[number]

export interface DurabilityRow {
  storage: Storage
  connections: number
  summary: CaseSummary
  /** p50 and p99 over the in-memory baseline's at the same concurrency, median of per-round ratios */
  p50Ratio: number
  p99Ratio: number
  /** milliseconds per commit (one transaction) over the whole suite on this writer, from its /metrics */
  commitMeanMs: number
  /** writes per commit over the whole suite on this writer (group commit) */
  writesPerCommit: number
}

const caseId = (storage: Storage, connections: number) => `write-${storage}-${connections}`

/** Mean commit time in ms and writes per commit from a writer's histograms (NaN: no commit). */
async function commitStats(origin: string): Promise<{ commitMeanMs: number; writesPerCommit: number }> {
  const text = await (await fetch(`${origin}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1])
  const commits = value('writer_store_commit_duration_seconds_count')
  return {
    commitMeanMs: (value('writer_store_commit_duration_seconds_sum') / commits) * 1000,
    writesPerCommit: value('writer_store_commit_writes_sum') / commits,
  }
}

export async function measureDurability(
  writers: Record<Storage, RunningServer>,
  plan: BenchPlan,
  progress: (line: string) => void,
): Promise<DurabilityRow[]> {
  const concurrencies = defaults.fidelityConnections
  const cases: LoadCase[] = STORAGES.flatMap((storage) =>
    concurrencies.map((connections) => ({
      id: caseId(storage, connections),
      request: { url: `${writers[storage].origin}/write`, method: 'POST' as const, connections },
      serverPids: () => [writers[storage].process.pid],
    })),
  )
  progress(`durability: ${plan.rounds} round(s) x ${cases.length} cases x ${plan.fidelityDurationS} s`)
  const results = await runRounds(
    cases,
    { rounds: plan.rounds, durationS: plan.fidelityDurationS, warmupS: 0 },
    progress,
  )
  const commits = Object.fromEntries(
    await Promise.all(STORAGES.map(async (storage) => [storage, await commitStats(writers[storage].origin)])),
  ) as Record<Storage, Awaited<ReturnType<typeof commitStats>>>
  const pick = (id: string) => {
    const found = results.get(id)
    if (!found) throw new Error(`no results for "${id}"`)
    return found
  }
  return STORAGES.flatMap((storage) =>
    concurrencies.map((connections) => {
      const summary = pick(caseId(storage, connections))
      const baseline = pick(caseId('memory', connections))
      const ratio = (key: 'p50Ms' | 'p99Ms') =>
        medianRatio(
          summary.rounds.map((r) => r[key]),
          baseline.rounds.map((r) => r[key]),
        ).median
      return {
        storage,
        connections,
        summary,
        p50Ratio: ratio('p50Ms'),
        p99Ratio: ratio('p99Ms'),
        ...commits[storage],
      }
    }),
  )
}

export function formatDurability(rows: readonly DurabilityRow[]): string {
  return formatMarkdownTable(
    [
      'storage',
      'clients',
      'p50 ms',
      'p99 ms',
      'p50 / memory',
      'p99 / memory',
      'rps',
      'commit ms (mean)',
      'writes/commit',
      'failures',
    ],
    rows.map((row) => [
      row.storage === 'memory' ? 'in memory (baseline)' : `SQLite WAL, synchronous ${row.storage}`,
      String(row.connections),
      ms(row.summary.p50Ms),
      ms(row.summary.p99Ms),
      `${row.p50Ratio.toFixed(2)}x`,
      `${row.p99Ratio.toFixed(2)}x`,
      row.summary.rps.toFixed(0),
      row.commitMeanMs.toFixed(3),
      row.writesPerCommit.toFixed(1),
      String(row.summary.failures),
    ]),
  )
}
