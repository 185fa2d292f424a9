/**
 * The machine's busy share from /proc/stat (proc.ts), read on this very machine: the growth
 * section marks a point machine-bound from it.
 */
import assert from 'node:assert/strict'
import { cpus } from 'node:os'
import { describe, it } from 'node:test'
import { machineBusyShare, machineCpuTicks } from '../src/proc.js'

describe('machineBusyShare', () => {
  it('sees this process keep a core busy', () => {
    const before = machineCpuTicks()
    const until = performance.now() + 300
    while (performance.now() < until) {
      // busy: one core for 300 ms
    }
    const share = machineBusyShare(before, machineCpuTicks())
    assert.ok(share <= 1, `share ${share} is at most 1`)
    // One core of N fully busy (more if others work too); a tick of slack per core.
    assert.ok(share >= 1 / cpus().length - 0.1, `share ${share} >= one core of ${cpus().length}`)
  })
  it('is 0 over no time', () => {
    const now = machineCpuTicks()
    assert.equal(machineBusyShare(now, now), 0)
  })
})
