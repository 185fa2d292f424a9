/** The read-split verdict (src/read-split.ts) that T4, W1.3 and the compose stack check share. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { expectedReadSplit, judgeReadSplit } from '../src/read-split.js'

test('the topology weights 3:1: 20 reads are 15/5', () => {
  assert.deepEqual(expectedReadSplit(20), { FAST_REPLICA_1: 15, FAST_REPLICA_2: 5 })
})

test('15/5 and 14/6 pass with a tolerance of 1; 19/1 (passed the old compose check) and 17/3 fail', () => {
  const judge = (one: number, two: number) =>
    judgeReadSplit({ FAST_REPLICA_1: one, FAST_REPLICA_2: two }, 20, 1).passed
  assert.equal(judge(15, 5), true)
  assert.equal(judge(14, 6), true)
  assert.equal(judge(19, 1), false)
  assert.equal(judge(17, 3), false)
  const verdict = judgeReadSplit({ FAST_REPLICA_1: 19, FAST_REPLICA_2: 1 }, 20, 1)
  assert.equal(verdict.expected, 'FAST_REPLICA_1 15 +- 1, FAST_REPLICA_2 5 +- 1 of 20, none failed')
  assert.equal(verdict.actual, 'FAST_REPLICA_1 19, FAST_REPLICA_2 1, other 0')
})

test('a failed read fails the verdict even when the split is right; tolerance 0 is exact', () => {
  assert.equal(judgeReadSplit({ FAST_REPLICA_1: 15, FAST_REPLICA_2: 4, none: 1 }, 20, 1).passed, false)
  assert.equal(judgeReadSplit({ FAST_REPLICA_1: 16, FAST_REPLICA_2: 4 }, 20, 0).passed, false)
  assert.equal(
    judgeReadSplit({ FAST_REPLICA_1: 15, FAST_REPLICA_2: 5 }, 20, 0).expected,
    'FAST_REPLICA_1 15, FAST_REPLICA_2 5 of 20, none failed',
  )
})
