/** The topology's ports are a function of the offset; the offset comes from the environment only when asked. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  APP_SERVICES,
  appPort,
  BASE_PORTS,
  canonicalName,
  portOffsetFromEnv,
  stackPorts,
  WRITER,
} from '../src/topology.js'

test("every port moves by the offset, and offset 0 is the guide's ports", () => {
  assert.deepEqual(stackPorts(0), BASE_PORTS)
  assert.equal(stackPorts(0).loadBalancer, 8080)
  assert.equal(stackPorts(2000).loadBalancer, 10_080)
  assert.equal(stackPorts(2000).control, 10_089)
  assert.equal(appPort(WRITER, 0), 7001)
  assert.equal(appPort(WRITER, 2000), 9001)
})

test('no two pieces of the stack share a port', () => {
  const ports = [...APP_SERVICES.map((service) => appPort(service, 0)), ...Object.values(stackPorts(0))]
  assert.equal(new Set(ports).size, ports.length)
})

test('LAB_PORT_OFFSET: empty or absent is 0, an integer 0..50000 is taken, anything else is refused', () => {
  assert.equal(portOffsetFromEnv({}), 0)
  assert.equal(portOffsetFromEnv({ LAB_PORT_OFFSET: '' }), 0)
  assert.equal(portOffsetFromEnv({ LAB_PORT_OFFSET: '2000' }), 2000)
  for (const bad of ['-1', '1.5', 'x', '50001'])
    assert.throws(() => portOffsetFromEnv({ LAB_PORT_OFFSET: bad }), /LAB_PORT_OFFSET=.* is invalid/)
})

test("aliases resolve to the guide's names", () => {
  assert.equal(canonicalName('writer'), 'app_slow')
  assert.equal(canonicalName('reader-2'), 'app_fast_2')
  assert.equal(canonicalName('lb'), 'nginx_lb')
  assert.equal(canonicalName('nope'), undefined)
})
