import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backoffCapMs, backoffDelayMs } from '../src/index.js'

const policy = { baseDelayMs: 50, maxDelayMs: 2000 }

describe('exponential backoff with full jitter', () => {
  it('doubles the cap per retry up to the maximum', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 10].map((retry) => backoffCapMs(policy, retry)),
      [50, 100, 200, 400, 800, 1600, 2000, 2000],
    )
  })

  it('draws each wait uniformly between 0 and the cap', () => {
    assert.equal(
      backoffDelayMs(policy, 3, () => 0),
      0,
    )
    assert.equal(
      backoffDelayMs(policy, 3, () => 0.5),
      200,
    )
    assert.equal(
      backoffDelayMs(policy, 3, () => 0.999_999),
      399,
    )
  })

  it('stays within bounds for random draws and spreads them out', () => {
    for (let retry = 0; retry < 8; retry++) {
      const cap = backoffCapMs(policy, retry)
      const draws = Array.from({ length: 500 }, () => backoffDelayMs(policy, retry))
      assert.ok(
        draws.every((d) => d >= 0 && d < cap),
        `retry ${retry}: all in [0, ${cap})`,
      )
      // full jitter: both halves of the range are used
      assert.ok(draws.some((d) => d < cap / 2) && draws.some((d) => d >= cap / 2), `retry ${retry}: spread`)
    }
  })
})
