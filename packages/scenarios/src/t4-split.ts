/**
 * T4, the guide's load-balancing distribution: nginx's weighted round robin (3:1, shared
 * zone) gives exactly 15/5 for 20 sequential reads and 75 % +- 2 % over 1000 reads.
 */

import { runLoad } from '@production-lab/load'
import { judgeReadSplit, READERS } from '@production-lab/stack'
import { lbUrl } from './arrange.js'
import { lbRun, runNumbers, splitCounts, splitText } from './measure.js'
import type { ScenarioContext } from './types.js'

const T4 = {
  /** reads before counting, so nginx's smooth weighted round robin has recovered from any earlier failure */
  warmUpReads: 20,
  exactReads: 20,
  manyReads: 1000,
  manyConcurrency: 10,
  /** percentage points */
  tolerance: 2,
}

/** T4: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function t4Split(context: ScenarioContext): Promise<void> {
  const [heavy, light] = READERS as [(typeof READERS)[0], (typeof READERS)[0]]
  const weightTotal = (heavy.weight ?? 1) + (light.weight ?? 1)
  const heavyShare = (heavy.weight ?? 1) / weightTotal
  await runLoad({ url: lbUrl(context, '/read'), requests: T4.warmUpReads })
  const exact = await lbRun(context, 'GET', '/read', T4.exactReads)
  const wantHeavy = T4.exactReads * heavyShare
  const gotHeavy = exact.summary.labels[heavy.serviceName] ?? 0
  const gotLight = exact.summary.labels[light.serviceName] ?? 0
  const split = judgeReadSplit(splitCounts(exact.summary), T4.exactReads, 0)
  context.check({
    name: `4 ${T4.exactReads} reads split exactly ${wantHeavy}/${T4.exactReads - wantHeavy}`,
    passed: split.passed,
    expected: `${split.expected} (weights ${heavy.weight}:${light.weight})`,
    actual: splitText(exact.summary),
    numbers: { [heavy.serviceName]: gotHeavy, [light.serviceName]: gotLight },
  })

  context.progress(`${T4.manyReads} reads at concurrency ${T4.manyConcurrency}`)
  const many = await lbRun(context, 'GET', '/read', T4.manyReads, T4.manyConcurrency)
  const heavyPercent = ((many.summary.labels[heavy.serviceName] ?? 0) * 100) / T4.manyReads
  const targetPercent = heavyShare * 100
  context.check({
    name: `4 ${T4.manyReads} reads: ${targetPercent}% +- ${T4.tolerance}% to ${heavy.serviceName}`,
    passed: many.summary.served === T4.manyReads && Math.abs(heavyPercent - targetPercent) <= T4.tolerance,
    expected: `all served; ${heavy.serviceName} ${targetPercent - T4.tolerance}-${targetPercent + T4.tolerance}%`,
    actual: `${many.summary.served}/${T4.manyReads} served; ${splitText(many.summary)}`,
    numbers: { heavyPercent, ...runNumbers(many.summary) },
  })
}
