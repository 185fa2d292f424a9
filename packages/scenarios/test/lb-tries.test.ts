/**
 * T5 5.2's evidence (src/lb-tries.ts): the servers a 502 names, and which readers nginx_lb's
 * log shows out of rotation, on lines in each target's format (native: the supervisor's
 * describeChange; compose: nginx-upstream-follower.sh's reload line).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backInRotation } from '../src/lb-log.js'
import { readersOutOfRotation, triedServers } from '../src/lb-tries.js'

const READERS = ['app_fast_1', 'app_fast_2']

test('the 502 body: both servers tried, or the upstream named when none was live', () => {
  const body = (tried: string) => `no upstream server answered (tried: ${tried})`
  assert.deepEqual(triedServers(body('127.0.0.1:7002, 127.0.0.1:7003')), ['127.0.0.1:7002', '127.0.0.1:7003'])
  assert.deepEqual(triedServers(body('readers')), ['readers'])
  assert.deepEqual(triedServers('Bad Gateway'), [])
})

test('native: the last change per reader counts; a reader back in rotation is not out', () => {
  const lines = [
    '[12:00:00] nginx_lb: app_fast_1 out of rotation (down): stopping (verdict at 12:00:00.100; nginx reload signalled 2 ms after the verdict)',
    '2026/12/03 12:00:00 [notice] 1#1: signal 1 (SIGHUP) received, reconfiguring',
    '[12:00:01] nginx_lb: app_fast_1 back in rotation: ready again (pid 42) (verdict at 12:00:01.000; nginx reload signalled 1 ms after the verdict)',
    '[12:00:02] nginx_lb: app_fast_2 out of rotation (down): stopping (verdict at 12:00:02.000; nginx reload signalled 1 ms after the verdict)',
  ]
  assert.deepEqual(readersOutOfRotation(lines, 'native', READERS), ['app_fast_2'])
  const both = [
    ...lines,
    '[12:00:03] nginx_lb: app_fast_1 out of rotation (down): stopping (verdict at 12:00:03.000; nginx reload signalled 1 ms after the verdict)',
  ]
  assert.deepEqual(readersOutOfRotation(both, 'native', READERS), READERS)
  // Zero evidence: no membership line at all (a 502 "tried: readers" from passive ejections alone).
  assert.deepEqual(readersOutOfRotation(['2026/12/03 [notice] reconfiguring'], 'native', READERS), [])
})

test("compose: the follower's last reload line, readers first in its upstream order", () => {
  const reload = (servers: string) =>
    `nginx-entrypoint: upstream addresses now ${servers} (reader_1: app_fast_1 at 10.89.0.3 refuses connections; reader_2: app_fast_2 at 10.89.0.4 refuses connections); reloading nginx, 40 ms after the change was seen (reload 120 ms)`
  const access = '{"time":"2026-12-03T12:00:00+00:00","status":502,"upstream_addr":"readers"}'
  assert.deepEqual(
    readersOutOfRotation(
      [reload('10.89.0.3:8000,127.0.0.1:8000 down,10.89.0.2:8000'), access],
      'compose',
      READERS,
    ),
    ['app_fast_2'],
  )
  assert.deepEqual(
    readersOutOfRotation(
      [
        reload('10.89.0.3:8000,127.0.0.1:8000 down,10.89.0.2:8000'),
        reload('127.0.0.1:8000 down,127.0.0.1:8000 down,10.89.0.2:8000'),
        access,
      ],
      'compose',
      READERS,
    ),
    READERS,
  )
  assert.deepEqual(readersOutOfRotation([access], 'compose', READERS), [])
})

test('back in rotation: the supervisor line or the follower its readiness gate admitted, nothing else', () => {
  const back = backInRotation('app_fast_1')
  assert.ok(back.test('[12:46:57] nginx_lb: app_fast_1 back in rotation: ready again (pid 29112)'))
  assert.ok(
    back.test(
      'nginx-entrypoint: upstream addresses now 10.1.0.7:8000,10.1.0.6:8000,10.1.0.5:8000 (reader_1: app_fast_1 at 10.1.0.7 answers /health/ready 200); reloading nginx, 90 ms after the change was seen (reload 40 ms)',
    ),
  )
  // Taken out, or a reconnect to a server that never left: not a return.
  assert.ok(!back.test('[12:47:06] nginx_lb: app_fast_1 out of rotation (down): stopping'))
  assert.ok(
    !back.test(
      'nginx-entrypoint: upstream addresses now 10.1.0.7:8000 (reader_1: app_fast_1 at 10.1.0.7 accepts connections); reloading nginx',
    ),
  )
  assert.ok(!back.test('[12:46:57] nginx_lb: app_fast_2 back in rotation: ready again'))
})
