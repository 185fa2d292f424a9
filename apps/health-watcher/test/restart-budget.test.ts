import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { RestartBudget } from '../src/restart-budget.js'

const settings = { budget: 3, windowMs: 300_000, backoffBaseMs: 1000, backoffMaxMs: 30_000 }

describe('RestartBudget (fake clock)', () => {
  test('the first restart is at once, then waits of base, 2 x base after each new failure; then spent', () => {
    const budget = new RestartBudget(settings)
    let now = 10_000
    assert.deepEqual(budget.verdict(now, now), { kind: 'allowed' })
    budget.record(now)
    // It crashes again 3 s later (a slow start): the wait counts from that failure.
    let failedAt = now + 3000
    assert.deepEqual(budget.verdict(failedAt, failedAt), { kind: 'wait', untilMs: failedAt + 1000 })
    now = failedAt + 1000
    assert.deepEqual(budget.verdict(now, failedAt), { kind: 'allowed' })
    budget.record(now)
    failedAt = now + 3000
    assert.deepEqual(budget.verdict(failedAt + 1999, failedAt), { kind: 'wait', untilMs: failedAt + 2000 })
    now = failedAt + 2000
    assert.deepEqual(budget.verdict(now, failedAt), { kind: 'allowed' })
    budget.record(now)
    assert.equal(budget.remaining(now), 0)
    assert.deepEqual(budget.verdict(now + 100_000, now + 100_000), { kind: 'spent' })
  })

  test('the backoff doubles and is capped', () => {
    const budget = new RestartBudget({ ...settings, budget: 20, backoffMaxMs: 10_000 })
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => budget.backoffAfter(n)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    )
  })

  test('restarts older than the window no longer count', () => {
    const budget = new RestartBudget(settings)
    budget.record(0)
    budget.record(1000)
    budget.record(3000)
    assert.deepEqual(budget.verdict(299_999, 299_999), { kind: 'spent' })
    // At 300 000 the restart at 0 leaves the window: 2 used, so the wait is 2 x base after the failure.
    assert.equal(budget.used(300_000), 2)
    assert.deepEqual(budget.verdict(300_000, 290_000), { kind: 'allowed' })
    assert.deepEqual(budget.verdict(300_000, 299_000), { kind: 'wait', untilMs: 301_000 })
    assert.equal(budget.used(303_000), 0)
  })

  test('reset gives the whole budget back; a budget of 0 never allows a restart', () => {
    const budget = new RestartBudget(settings)
    budget.record(0)
    budget.record(1000)
    budget.record(3000)
    budget.reset()
    assert.equal(budget.remaining(3001), 3)
    assert.deepEqual(budget.verdict(3001, 3001), { kind: 'allowed' })
    assert.deepEqual(new RestartBudget({ ...settings, budget: 0 }).verdict(0, 0), { kind: 'spent' })
  })
})
