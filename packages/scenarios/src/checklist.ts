/**
 * The guide's checklist as `lab test` prints it: one block per scenario with PASS/FAIL,
 * each check with what was measured (and what was expected, when it failed), then a total.
 */
import type { ScenarioResult } from './types.js'

const WIDTH = 78

function wrap(text: string, indent: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(indent + line)
  return lines
}

export function formatScenarioResult(result: ScenarioResult): string {
  const verdict = result.passed ? 'PASS' : 'FAIL'
  const duration = `${(result.durationMs / 1000).toFixed(1)} s`
  const head = `${result.id}  ${result.title} `
  const lines = [`${head.padEnd(WIDTH - verdict.length - duration.length - 4, '.')} ${verdict} (${duration})`]
  for (const check of result.checks) {
    lines.push(`    [${check.passed ? 'PASS' : 'FAIL'}] ${check.name}`)
    lines.push(...wrap(check.actual, '           '))
    if (!check.passed) lines.push(...wrap(`expected: ${check.expected}`, '           '))
  }
  if (result.error) lines.push(...wrap(`stopped: ${result.error}`, '    ! '))
  return lines.join('\n')
}

export function formatChecklist(results: ScenarioResult[]): string {
  const passedScenarios = results.filter((r) => r.passed).length
  const checks = results.flatMap((r) => r.checks)
  const passedChecks = checks.filter((c) => c.passed).length
  const failed = results.filter((r) => !r.passed).map((r) => r.id)
  return [
    ...results.map(formatScenarioResult),
    '',
    `${passedScenarios} of ${results.length} scenarios passed, ${passedChecks} of ${checks.length} checks passed${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`,
  ].join('\n')
}
