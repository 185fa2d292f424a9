import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { waitFor } from '../src/wait.js'

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let calls = 0
    const value = await waitFor('three calls', async () => (++calls === 3 ? 'ok' : undefined), {
      timeoutMs: 2000,
      intervalMs: 10,
    })
    assert.equal(value, 'ok')
    assert.equal(calls, 3)
  })

  it('times out naming what never happened and the last error', async () => {
    await assert.rejects(
      waitFor(
        'app_fast_1 to be healthy',
        async () => {
          throw new Error('connect ECONNREFUSED')
        },
        { timeoutMs: 100, intervalMs: 20 },
      ),
      /^Error: timed out after 0 s waiting for app_fast_1 to be healthy \(last error: connect ECONNREFUSED\)$/,
    )
  })

  it('stops at once when interrupted', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const started = performance.now()
    await assert.rejects(
      waitFor('never', async () => undefined, {
        timeoutMs: 10_000,
        intervalMs: 5000,
        signal: controller.signal,
      }),
      /interrupted while waiting for never/,
    )
    assert.ok(performance.now() - started < 2000)
  })
})
