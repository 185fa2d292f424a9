import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseOptions } from '../src/cli.js'
import { defaults, FULL_PLAN, QUICK_PLAN } from '../src/defaults.js'

describe('parseOptions', () => {
  it('runs the full plan on the default ports by default', () => {
    const options = parseOptions([], {})
    assert.equal(options.plan, FULL_PLAN)
    assert.equal(options.portBase, defaults.portBase)
    assert.deepEqual(options.nginx, {})
  })
  it('--quick runs the short plan', () => {
    assert.equal(parseOptions(['--quick'], {}).plan, QUICK_PLAN)
  })
  it('takes the options after the `--` pnpm passes through (`./pnpm bench -- --quick`)', () => {
    assert.equal(parseOptions(['--', '--quick'], {}).plan, QUICK_PLAN)
  })
  it('takes nginx tuning and the port base', () => {
    const options = parseOptions(['--nginx-keepalive', '16', '--nginx-workers', '2'], {
      BENCH_PORT_BASE: '20000',
    })
    assert.deepEqual(options.nginx, { upstreamKeepalive: 16, workerProcesses: 2 })
    assert.equal(options.portBase, 20000)
  })
  it('names the bad value', () => {
    assert.throws(
      () => parseOptions(['--nginx-keepalive', 'lots'], {}),
      /--nginx-keepalive="lots" is invalid: expected an integer/,
    )
    assert.throws(() => parseOptions([], { BENCH_PORT_BASE: '70000' }), /BENCH_PORT_BASE="70000" is invalid/)
    assert.throws(() => parseOptions(['--fast'], {}), /Unknown option '--fast'/)
  })
})

describe('the quick plan', () => {
  it('fits a smoke run: under 40 s of load in all', () => {
    // 7 throughput rows per round plus their warm-up, 6 fidelity cases per round, the curve's
    // steps on 2 targets.
    const loadS =
      7 * (QUICK_PLAN.rounds * QUICK_PLAN.roundDurationS + QUICK_PLAN.warmupS) +
      6 * QUICK_PLAN.fidelityRounds * QUICK_PLAN.fidelityDurationS +
      2 * QUICK_PLAN.curveRatesRps.length * QUICK_PLAN.curveStepS
    assert.ok(loadS < 40, `quick plan has ${loadS} s of load`)
  })
})
