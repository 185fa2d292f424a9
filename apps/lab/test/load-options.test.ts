import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { portOffsetFromEnv, stackPorts } from '@production-lab/stack'
import {
  DEFAULT_LOAD_DURATION_S,
  describeLoad,
  parseDuration,
  parseLoadArgs,
} from '../src/commands/load-options.js'
import { UsageError } from '../src/commands/usage.js'

const PORTS = stackPorts(portOffsetFromEnv())

describe('lab load options', () => {
  it('defaults to GET /read on the load balancer for 10 s over one connection', () => {
    const { load, reports } = parseLoadArgs([])
    assert.equal(load.url, `http://127.0.0.1:${PORTS.loadBalancer}/read`)
    assert.equal(load.method, 'GET')
    assert.equal(load.durationMs, DEFAULT_LOAD_DURATION_S * 1000)
    assert.equal(load.requests, undefined)
    assert.deepEqual(reports, {})
    assert.equal(
      describeLoad(load),
      `GET http://127.0.0.1:${PORTS.loadBalancer}/read, closed model, 1 connection, for 10 s`,
    )
  })

  it('reads the closed model with a request count (no default duration then)', () => {
    const { load } = parseLoadArgs(['-c', '50', '-n', '1000', '--path', '/read'])
    assert.equal(load.connections, 50)
    assert.equal(load.requests, 1000)
    assert.equal(load.durationMs, undefined)
  })

  it('reads the open model, method, body, headers, retries and report paths', () => {
    const { load, reports } = parseLoadArgs([
      '--url',
      'http://localhost:8080/write',
      '--rate',
      '200',
      '--duration',
      '30s',
      '--body',
      '{"a":1}',
      '-H',
      'Idempotency-Key: abc',
      '--header',
      'X-Test:1',
      '--retries',
      '3',
      '--timeout',
      '2s',
      '--html',
      'out.html',
    ])
    assert.equal(load.method, 'POST', 'a body implies POST')
    assert.equal(load.rate, 200)
    assert.equal(load.durationMs, 30_000)
    assert.equal(load.body, '{"a":1}')
    assert.deepEqual(load.headers, { 'idempotency-key': 'abc', 'x-test': '1' })
    assert.deepEqual(load.retry, { retries: 3 })
    assert.equal(load.timeoutMs, 2000)
    assert.deepEqual(reports, { html: 'out.html' })
    assert.equal(
      describeLoad(load),
      'POST http://localhost:8080/write, open model, 200 req/s, for 30 s, up to 3 retries with backoff',
    )
  })

  it('turns off reports with --no-report', () => {
    assert.equal(parseLoadArgs(['--no-report']).reports, null)
  })

  it('parses durations', () => {
    assert.deepEqual(
      ['10s', '500ms', '2m', '1.5', '0.25s'].map((d) => parseDuration(d, '--duration')),
      [10_000, 500, 120_000, 1500, 250],
    )
    assert.throws(
      () => parseDuration('soon', '--duration'),
      /--duration "soon" is invalid: expected a duration/,
    )
    assert.throws(() => parseDuration('0s', '--duration'), UsageError)
  })

  it('names what is wrong', () => {
    const cases: Array<[string[], RegExp]> = [
      [['-c', '0'], /--connections "0" is invalid: expected a whole number >= 1/],
      [['--rate', 'fast'], /--rate "fast" is invalid/],
      [['--header', 'no colon'], /--header "no colon" is invalid: expected 'Name: value'/],
      [['--url', 'http://x/', '--path', '/read'], /--url or --path, not both/],
      [['--path', 'read'], /must start with \//],
      [['--retries=-1'], /--retries "-1" is invalid/],
      [['extra'], /unexpected argument "extra"/],
      [['--bogus'], /unknown option --bogus; lab load takes --url/],
    ]
    for (const [argv, message] of cases) assert.throws(() => parseLoadArgs(argv), message, argv.join(' '))
  })
})
