/** Target selection: the compose endpoints follow docker-compose.yml's port variables. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { composeEndpoints, connectCompose } from '../src/connect.js'
import { ControlError } from '../src/target.js'

test("compose endpoints: the guide's ports by default, the compose file's variables when set", () => {
  assert.deepEqual(composeEndpoints({}), {
    loadBalancer: 'http://127.0.0.1:8080',
    services: {
      app_slow: 'http://127.0.0.1:7001',
      app_fast_1: 'http://127.0.0.1:7002',
      app_fast_2: 'http://127.0.0.1:7003',
      health_watcher: 'http://127.0.0.1:7004',
    },
    prometheus: 'http://127.0.0.1:9090',
    // No default token: connectCompose reads the one the stack generated.
    adminToken: '',
  })
  const moved = composeEndpoints({ LB_PORT: '18080', APP_FAST_1_PORT: '17002', ADMIN_TOKEN: 'secret-token' })
  assert.equal(moved.loadBalancer, 'http://127.0.0.1:18080')
  assert.equal(moved.services.app_fast_1, 'http://127.0.0.1:17002')
  assert.equal(moved.adminToken, 'secret-token')
})

test('compose: an unsupported DOCKER_HOST or a missing socket is a clear error', async () => {
  await assert.rejects(
    connectCompose({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }),
    /DOCKER_HOST="tcp:\/\/127\.0\.0\.1:2375" is not supported/,
  )
  await assert.rejects(
    connectCompose({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
    (error) => error instanceof ControlError && error.code === 'UNREACHABLE',
  )
})
