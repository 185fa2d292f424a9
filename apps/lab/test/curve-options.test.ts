import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { curveDefaults } from '@production-lab/load'
import { appPort, portOffsetFromEnv, READERS, stackPorts } from '@production-lab/stack'
import { parseCurveArgs } from '../src/commands/curve-options.js'
import { UsageError } from '../src/commands/usage.js'

const OFFSET = portOffsetFromEnv()

describe('lab curve options', () => {
  it('defaults to GET /read through nginx and on the first reader directly, with the default steps', () => {
    const { curve } = parseCurveArgs([])
    assert.deepEqual(
      curve.targets.map((t) => t.url),
      [
        `http://127.0.0.1:${stackPorts(OFFSET).loadBalancer}/read`,
        `http://127.0.0.1:${appPort(READERS[0] as (typeof READERS)[number], OFFSET)}/read`,
      ],
    )
    assert.deepEqual(curve.ratesRps, [...curveDefaults.ratesRps])
    assert.equal(curve.stepDurationMs, curveDefaults.stepDurationMs)
    assert.equal(curve.connections, curveDefaults.connections)
  })
  it('takes any URLs, rates, step length and connections', () => {
    const { curve, reports } = parseCurveArgs([
      '--url',
      'http://127.0.0.1:9/a',
      '--url',
      'http://127.0.0.1:10/b',
      '--rates',
      '10, 20,40',
      '--step',
      '500ms',
      '-c',
      '8',
      '--html',
      'x.html',
    ])
    assert.deepEqual(
      curve.targets.map((t) => t.name),
      ['/a on 127.0.0.1:9', '/b on 127.0.0.1:10'],
    )
    assert.deepEqual(curve.ratesRps, [10, 20, 40])
    assert.equal(curve.stepDurationMs, 500)
    assert.equal(curve.connections, 8)
    assert.deepEqual(reports, { html: 'x.html' })
  })
  it('refuses bad rates, connections and arguments as usage errors', () => {
    assert.equal(parseCurveArgs(['--method', 'post']).curve.targets[0]?.method, 'POST')
    for (const argv of [
      ['--method', 'P O'],
      ['--rates', '10,x'],
      ['--rates', '0'],
      ['-c', '0'],
      ['extra'],
      ['--bogus'],
    ])
      assert.throws(() => parseCurveArgs(argv), UsageError, argv.join(' '))
  })
})
