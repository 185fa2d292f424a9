import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseLogLine } from '../src/service-logs.js'

describe('reading service log lines', () => {
  it("parses the guide's JSON shape with its time", () => {
    const entry = parseLogLine(
      '{"level":"INFO","time":"2026-11-27T05:05:30.123Z","service":"SLOW_PRIMARY","pid":1,"message":"Received signal 15. Starting graceful shutdown..."}',
    )
    assert.equal(entry?.message, 'Received signal 15. Starting graceful shutdown...')
    assert.equal(entry?.atMs, Date.parse('2026-11-27T05:05:30.123Z'))
  })

  it('ignores lines that are not such JSON', () => {
    assert.equal(parseLogLine('plain text'), undefined)
    assert.equal(parseLogLine('{"message":"no time"}'), undefined)
  })
})
