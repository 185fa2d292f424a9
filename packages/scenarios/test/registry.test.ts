import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SCENARIOS, selectScenarios, UnknownScenarioError } from '../src/registry.js'

describe('scenario selection', () => {
  it('runs every scenario, the guide first, then beyond it, then the watcher, when none is named', () => {
    assert.deepEqual(
      selectScenarios([]).map((s) => s.id),
      ['T1', 'T2', 'T3', 'T4', 'T5', 'B1', 'B2', 'B3', 'B4', 'B5', 'W1', 'W2', 'W3', 'W4', 'L1'],
    )
  })

  it('accepts ids in any case and aliases, in the canonical order, once each', () => {
    assert.deepEqual(
      selectScenarios(['breaker', 't4', 'T1', 'split']).map((s) => s.id),
      ['T1', 'T4', 'B1'],
    )
  })

  it('refuses an unknown name and lists the known ones', () => {
    assert.throws(
      () => selectScenarios(['T9']),
      (error: Error) => {
        assert.ok(error instanceof UnknownScenarioError)
        assert.match(
          error.message,
          /unknown scenario "T9": expected one of T1 \(health\), T2 \(shutdown, graceful\)/,
        )
        return true
      },
    )
  })

  it('gives every scenario a unique id and aliases, a title and the guide commands it stands for', () => {
    const names = SCENARIOS.flatMap((s) => [s.id.toLowerCase(), ...s.aliases])
    assert.equal(new Set(names).size, names.length)
    for (const s of SCENARIOS)
      assert.ok(s.title && s.guide && (s.targets ?? ['native']).includes('native'), s.id)
  })
})
