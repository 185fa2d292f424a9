/** The docker adapter's exclusions, whatever the labels (the podman run: scripts/compose/watcher-checks.sh). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { neverRestartedReason } from '../src/never-restarted.js'

const OWN_ID = '3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef12'

test('never the load balancer nor the watcher, by name or alias; never its own container under any name', () => {
  const host = OWN_ID.slice(0, 12)
  assert.equal(neverRestartedReason('nginx_lb', 'aa', host), 'the load balancer')
  assert.equal(neverRestartedReason('nginx', 'aa', host), 'the load balancer')
  assert.equal(neverRestartedReason('health_watcher', 'aa', host), 'the health-watcher')
  assert.equal(neverRestartedReason('renamed_watcher', OWN_ID, host), 'this watcher itself')
  assert.equal(neverRestartedReason('app_fast_1', 'bb', host), undefined)
  // Outside a container the hostname is no id: nothing matches by id.
  assert.equal(neverRestartedReason('app_fast_1', OWN_ID, 'laptop'), undefined)
})
