/**
 * The statistics of the report: medians over rounds, ratios taken within a round (so a
 * slow moment of the shared machine hits both sides of a ratio alike), the spread between
 * rounds, and exact percentiles of recorded latencies.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values: a measurement produced no rounds')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Nearest-rank percentile (p in 0..100) of samples already sorted ascending. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples: no request completed')
  if (p < 0 || p > 100) throw new Error(`percentile ${p} is outside 0..100`)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] as number
}

/** (max - min) / median, as a fraction: how far apart the rounds were. */
export function spread(values: readonly number[]): number {
  const middle = median(values)
  if (middle === 0) return 0
  return (Math.max(...values) - Math.min(...values)) / middle
}

/**
 * Ratio of `subject` to `baseline` within each round (same index = same round),
 * then the median of those ratios.
 */
export function medianRatio(
  subject: readonly number[],
  baseline: readonly number[],
): { median: number; perRound: number[] } {
  if (subject.length !== baseline.length) {
    throw new Error(
      `ratio over rounds needs as many subject rounds (${subject.length}) as baseline rounds (${baseline.length})`,
    )
  }
  const perRound = subject.map((value, round) => {
    const base = baseline[round] as number
    if (base <= 0) throw new Error(`baseline of round ${round + 1} is ${base}: cannot compute a ratio`)
    return value / base
  })
  return { median: median(perRound), perRound }
}

/** Round order for alternating rounds: rotated by one each round so no variant always runs first. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return []
  const shift = round % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}
