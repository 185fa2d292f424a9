/**
 * `lab test [scenario...]`: runs the guide's tests (and the ones beyond it) against a
 * running stack, prints progress and then the checklist with numbers, writes a JSON and an
 * HTML report, and exits 1 when any check fails (2 for a usage error). With --start-stack
 * it starts the native stack itself first and stops it at the end. Interrupted (SIGINT,
 * SIGTERM: Ctrl-C, a CI timeout) it restores the stack, reports what ran, and exits 128 +
 * the signal's number (130, 143): an interrupted run is never a pass, even when every
 * scenario that finished passed.
 */
import { constants } from 'node:os'

import { ControlError, connectTarget, TARGET_KINDS, type TargetKind } from '@production-lab/control'
import type { ReportDocument } from '@production-lab/load'
import { formatTable } from '@production-lab/load'
import {
  formatChecklist,
  formatScenarioResult,
  runScenarios,
  SCENARIOS,
  type ScenarioOutcome,
  selectScenarios,
  UnknownScenarioError,
} from '@production-lab/scenarios'
import type { SpawnedStack } from '@production-lab/supervisor'
import { defineVerb, parseVerb } from '../verb.js'
import { commandLine, describeReports, reportOptions, writeReports } from './run-report.js'
import { UsageError } from './usage.js'

const DEFAULT_TARGET: TargetKind = 'native'

export const testVerb = defineVerb({
  name: 'test',
  summary: "run the guide's tests against the stack; exit 1 when a check fails",
  args: '[scenario...]',
  options: {
    target: {
      type: 'string',
      arg: TARGET_KINDS.join('|'),
      help: 'the stack to test: the native one (lab up) or the compose one',
      default: DEFAULT_TARGET,
    },
    'start-stack': {
      type: 'boolean',
      help: 'start the native stack first and stop it at the end',
    },
    ...reportOptions('test'),
    skip: {
      type: 'string',
      arg: 'SCENARIO',
      multiple: true,
      help: 'leave a scenario out (an id or an alias; repeatable)',
    },
    list: { type: 'boolean', help: 'list the scenarios and exit' },
  },
  details: () => `scenarios (all when none is named; an id or an alias):\n${listScenarios()}`,
})

function listScenarios(): string {
  return formatTable(
    ['ID', 'ALSO', 'SCENARIO', 'THE GUIDE'],
    SCENARIOS.map((s) => [s.id, s.aliases.join(', '), s.title, s.guide]),
  )
}

export function testReport(
  outcomes: ScenarioOutcome[],
  command: string,
  targetKind: TargetKind,
): ReportDocument {
  return {
    title: `Production Lab test run (${targetKind} stack)`,
    generatedAt: new Date().toISOString(),
    command,
    passed: outcomes.length > 0 && outcomes.every((o) => o.passed),
    sections: outcomes.map((o) => ({
      id: o.id,
      title: o.title,
      passed: o.passed,
      durationMs: o.durationMs,
      checks: o.checks,
      runs: o.runs,
      ...(o.error !== undefined && { error: o.error }),
    })),
  }
}

export async function testCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerb(testVerb, argv)
  if (values.list) {
    process.stdout.write(`${listScenarios()}\n`)
    return 0
  }
  const kind = (values.target ?? DEFAULT_TARGET) as TargetKind
  if (!TARGET_KINDS.includes(kind)) {
    throw new UsageError(
      `--target ${JSON.stringify(values.target)} is invalid: expected ${TARGET_KINDS.join(' or ')}`,
    )
  }
  if (values['start-stack'] && kind !== 'native')
    throw new UsageError('--start-stack starts the native stack: use it with --target native')
  let scenarios: typeof SCENARIOS
  try {
    const skipped = new Set(values.skip === undefined ? [] : selectScenarios(values.skip))
    scenarios = selectScenarios(positionals).filter((scenario) => !skipped.has(scenario))
  } catch (error) {
    if (error instanceof UnknownScenarioError) throw new UsageError(error.message)
    throw error
  }

  const say = (line: string) => process.stdout.write(`${line}\n`)
  const interrupt = new AbortController()
  let interruptedBy: NodeJS.Signals | undefined
  const onInterrupt = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(128 + constants.signals[signal])
    interruptedBy = signal
    say(
      `interrupted (${signal}): finishing the current step and restoring the stack (Ctrl-C again to exit at once)`,
    )
    interrupt.abort()
  }
  // SIGTERM too (a CI timeout): the scenario restores the stack and a started stack is stopped.
  process.on('SIGINT', onInterrupt)
  process.on('SIGTERM', onInterrupt)
  let stack: SpawnedStack | undefined
  try {
    if (values['start-stack']) {
      const { spawnStack } = await import('@production-lab/supervisor')
      stack = await spawnStack({ log: say })
    }
    const { target, endpoints } = await connectTarget(kind).catch((error: Error) => {
      const hint =
        kind === 'native' && !stack ? ' (or let the tests start it: pnpm lab test --start-stack)' : ''
      throw new ControlError(`${error.message}${hint}`, 'UNREACHABLE')
    })
    say(
      `lab test: ${scenarios.map((s) => s.id).join(' ')} against the ${kind} stack (load balancer ${endpoints.loadBalancer})`,
    )
    let outcomes: ScenarioOutcome[]
    try {
      outcomes = await runScenarios(scenarios, {
        target,
        endpoints,
        signal: interrupt.signal,
        progress: say,
        onResult: (result) => say(`${formatScenarioResult(result)}\n`),
      })
    } finally {
      await (target as { close?: () => Promise<void> }).close?.()
    }
    say('\nChecklist')
    say(formatChecklist(outcomes))
    const document = testReport(outcomes, commandLine('test', argv), kind)
    if (interruptedBy) document.passed = false
    say(describeReports(await writeReports(document, 'test', { json: values.json, html: values.html })))
    if (interruptedBy) {
      const code = 128 + constants.signals[interruptedBy]
      say(
        `lab test: interrupted by ${interruptedBy} after ${outcomes.length} of ${scenarios.length} scenarios (the stack restored as after every scenario); not a pass (exit ${code})`,
      )
      return code
    }
    return document.passed ? 0 : 1
  } finally {
    process.off('SIGINT', onInterrupt)
    process.off('SIGTERM', onInterrupt)
    await stack?.stop()
  }
}
