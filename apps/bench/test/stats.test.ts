import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { median, medianRatio, percentileOfSorted, rotated, spread } from '../src/stats.js'

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    assert.equal(median([9, 1, 5]), 5)
  })
  it('averages the two middle values of an even count', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5)
  })
  it('does not reorder its input', () => {
    const values = [3, 1, 2]
    median(values)
    assert.deepEqual(values, [3, 1, 2])
  })
  it('refuses an empty list instead of returning NaN', () => {
    assert.throws(() => median([]), /no values/)
  })
})

describe('percentileOfSorted', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1)
  it('uses the nearest rank', () => {
    assert.equal(percentileOfSorted(hundred, 50), 50)
    assert.equal(percentileOfSorted(hundred, 99), 99)
    assert.equal(percentileOfSorted(hundred, 100), 100)
    assert.equal(percentileOfSorted([1, 2, 3], 50), 2)
  })
  it('gives the smallest sample for p0 and the only sample of one', () => {
    assert.equal(percentileOfSorted(hundred, 0), 1)
    assert.equal(percentileOfSorted([7.5], 99), 7.5)
  })
  it('refuses no samples and a p outside 0..100', () => {
    assert.throws(() => percentileOfSorted([], 50), /no samples/)
    assert.throws(() => percentileOfSorted([1], 101), /outside 0\.\.100/)
  })
})

describe('spread', () => {
  it('is (max - min) / median', () => {
    assert.equal(spread([90, 100, 110]), 0.2)
  })
  it('is 0 for identical rounds', () => {
    assert.equal(spread([5, 5, 5]), 0)
  })
})

describe('medianRatio', () => {
  it('divides within each round, then takes the median of the ratios', () => {
    // Round 2 is slow for both sides (a noisy moment): per-round ratios stay 0.8.
    const { median: ratio, perRound } = medianRatio([80, 40, 88], [100, 50, 110])
    assert.deepEqual(
      perRound.map((r) => r.toFixed(2)),
      ['0.80', '0.80', '0.80'],
    )
    assert.equal(ratio.toFixed(2), '0.80')
  })
  it('differs from the ratio of medians when rounds are noisy', () => {
    const subject = [90, 30, 60]
    const baseline = [100, 100, 50]
    // per round: 0.9, 0.3, 1.2 -> median 0.9; median(subject) / median(baseline) would be 0.6.
    assert.equal(medianRatio(subject, baseline).median, 0.9)
    assert.equal(median(subject) / median(baseline), 0.6)
  })
  it('refuses rounds that do not pair up, and a zero baseline', () => {
    assert.throws(() => medianRatio([1, 2], [1]), /as many subject rounds \(2\) as baseline rounds \(1\)/)
    assert.throws(() => medianRatio([1], [0]), /baseline of round 1 is 0/)
  })
})

describe('rotated', () => {
  it('starts each round one item later so no case always runs first', () => {
    assert.deepEqual(rotated(['a', 'b', 'c'], 0), ['a', 'b', 'c'])
    assert.deepEqual(rotated(['a', 'b', 'c'], 1), ['b', 'c', 'a'])
    assert.deepEqual(rotated(['a', 'b', 'c'], 4), ['b', 'c', 'a'])
    assert.deepEqual(rotated([], 3), [])
  })
})
