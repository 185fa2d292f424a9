/**
 * `lab logs --pretty`: a service's JSON line becomes one readable line (time, level, message,
 * then the fields); a line that is not a JSON object is printed as it was.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { prettyLines } from '../src/commands/pretty-lines.js'

// as apps/writer writes them (packages/lifecycle's logger)
const ACCESS_LINE =
  '{"level":"INFO","time":"2026-12-03T12:51:19.361Z","service":"writer","pid":11871,"requestId":"56142239","method":"POST","route":"/write","statusCode":201,"durationMs":5.84,"message":"request completed"}'

it('renders a JSON log line readably, on one line, and leaves other lines alone', async () => {
  const pretty = await prettyLines(false)
  const line = pretty(ACCESS_LINE)
  assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request completed /)
  assert.match(line, /"route":"\/write"/)
  assert.match(line, /"statusCode":201/)
  assert.doesNotMatch(line, /"pid"|\n/)
  for (const other of [
    '127.0.0.1 - - "GET /read HTTP/1.1" 200',
    '{not json',
    '    at main (file.js:1:1)',
    '[1,2]',
  ])
    assert.equal(pretty(other), other)
})
