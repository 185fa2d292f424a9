import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatChecklist, formatScenarioResult } from '../src/checklist.js'
import type { ScenarioResult } from '../src/types.js'

const passed: ScenarioResult = {
  id: 'T4',
  title: 'Load-balancing distribution',
  passed: true,
  durationMs: 3712,
  checks: [
    {
      name: '4 20 reads split exactly 15/5',
      passed: true,
      expected: 'FAST_REPLICA_1 15, FAST_REPLICA_2 5 (weights 3:1)',
      actual: 'FAST_REPLICA_1 15 (75.0%), FAST_REPLICA_2 5 (25.0%)',
    },
  ],
}

const failed: ScenarioResult = {
  id: 'T5',
  title: 'Timeouts and error handling',
  passed: false,
  durationMs: 11_700,
  checks: [
    {
      name: '5.1 a backend slower than 5 s gets 504 after about 5 s',
      passed: false,
      expected: '504 Gateway Timeout after 4.8-7 s',
      actual: '502 after 10.0 s',
    },
  ],
  error: 'timed out after 45 s waiting for app_fast_1 to be healthy',
}

describe('checklist', () => {
  it('prints a passed scenario with its verdict, duration and measured numbers', () => {
    assert.equal(
      formatScenarioResult(passed),
      [
        'T4  Load-balancing distribution ................................. PASS (3.7 s)',
        '    [PASS] 4 20 reads split exactly 15/5',
        '           FAST_REPLICA_1 15 (75.0%), FAST_REPLICA_2 5 (25.0%)',
      ].join('\n'),
    )
  })

  it('adds what was expected to a failed check, and why a scenario stopped', () => {
    const text = formatScenarioResult(failed)
    assert.match(text, /^T5 {2}Timeouts and error handling \.+ FAIL \(11\.7 s\)$/m)
    assert.match(text, /^ {4}\[FAIL\] 5\.1 a backend slower than 5 s gets 504 after about 5 s$/m)
    assert.match(text, /^ {11}502 after 10\.0 s$/m)
    assert.match(text, /^ {11}expected: 504 Gateway Timeout after 4\.8-7 s$/m)
    assert.match(text, /^ {4}! stopped: timed out after 45 s waiting for app_fast_1 to be healthy$/m)
  })

  it('keeps lines within 78 columns by wrapping long measurements', () => {
    const long = {
      ...passed,
      checks: [{ ...passed.checks[0], actual: 'x '.repeat(100).trim() }],
    } as ScenarioResult
    for (const line of formatScenarioResult(long).split('\n'))
      assert.ok(line.length <= 78, `${line.length}: ${line}`)
  })

  it('ends with the totals and names the failed scenarios', () => {
    const last = formatChecklist([passed, failed]).split('\n').at(-1)
    assert.equal(last, '1 of 2 scenarios passed, 1 of 2 checks passed; failed: T5')
    assert.equal(
      formatChecklist([passed]).split('\n').at(-1),
      '1 of 1 scenarios passed, 1 of 1 checks passed',
    )
  })
})
