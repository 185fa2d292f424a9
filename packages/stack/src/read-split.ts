/**
 * How nginx's weighted round robin should split N reads between the readers (weights 3:1 in
 * topology.ts: 20 reads = 15/5), and whether counted answers match within a tolerance in
 * reads. One verdict for every place that counts a split: T4, W1.3 and the compose stack check
 * (scripts/compose/stack-checks.sh, which accepted any split with replica 1 ahead of replica 2,
 * 19/1 included, instead of 15/5).
 */
import { READERS } from './topology.js'

export interface ReadSplitVerdict {
  passed: boolean
  /** "FAST_REPLICA_1 15 +- 1, FAST_REPLICA_2 5 +- 1 of 20, none failed" */
  expected: string
  /** "FAST_REPLICA_1 19, FAST_REPLICA_2 1, other 0" */
  actual: string
}

/** Reads each reader's weight earns out of `reads` (serviceName -> count; may be fractional). */
export function expectedReadSplit(reads: number): Record<string, number> {
  const total = READERS.reduce((sum, reader) => sum + (reader.weight ?? 1), 0)
  return Object.fromEntries(
    READERS.map((reader) => [reader.serviceName, (reads * (reader.weight ?? 1)) / total]),
  )
}

/**
 * `counts`: answers per SERVICE_NAME (anything else, failures included, under other keys).
 * Passes when every reader got its share within `toleranceReads` and every read was answered
 * by a reader.
 */
export function judgeReadSplit(
  counts: Record<string, number>,
  reads: number,
  toleranceReads: number,
): ReadSplitVerdict {
  const wanted = expectedReadSplit(reads)
  const others = Object.entries(counts)
    .filter(([name]) => !(name in wanted))
    .reduce((sum, [, count]) => sum + count, 0)
  const within = Object.entries(wanted).every(
    ([name, count]) => Math.abs((counts[name] ?? 0) - count) <= toleranceReads,
  )
  const plusMinus = toleranceReads > 0 ? ` +- ${toleranceReads}` : ''
  return {
    passed: within && others === 0,
    expected: `${Object.entries(wanted)
      .map(([name, count]) => `${name} ${count}${plusMinus}`)
      .join(', ')} of ${reads}, none failed`,
    actual: `${Object.keys(wanted)
      .map((name) => `${name} ${counts[name] ?? 0}`)
      .join(', ')}, other ${others}`,
  }
}
