/** Supervised stand-in services on the test port range (17220-17249). */
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { NativeTarget, type StackEndpoints } from '@production-lab/control'
import { Type } from '@sinclair/typebox'
import { type ControlServer, createControlServer } from '../src/control-server.js'
import type { ProcessSpec } from '../src/managed-process.js'
import type { Supervisor } from '../src/supervisor.js'

export const SERVICE_SCRIPT = fileURLToPath(new URL('./fixtures/service.mjs', import.meta.url))

/** The stand-in's configuration schema: the only keys the control API lets a test override. */
export const SERVICE_CONFIG_SCHEMA = Type.Object({
  PORT: Type.Integer({ minimum: 1 }),
  GREETING: Type.Optional(Type.String({ maxLength: 40 })),
  EXIT_AT_START: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  DRAIN_MS: Type.Optional(Type.Integer({ minimum: 0 })),
  IGNORE_SIGTERM: Type.Optional(Type.String()),
  ADMIN_TOKEN: Type.Optional(Type.String()),
})

/** The control API's bearer token in the tests. */
export const TEST_CONTROL_TOKEN = 'test-control-token-0123456789'

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lab-stack-test-'))
}

export function serviceSpec(
  name: string,
  port: number,
  env: Record<string, string> = {},
  dir = tempDir(),
): ProcessSpec {
  return {
    name,
    command: process.execPath,
    args: [SERVICE_SCRIPT],
    env: { PORT: String(port), ...env },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health/ready',
    probe: 'lifecycle',
    ports: [port],
    stopSignal: 'SIGTERM',
    stopTimeoutS: 5,
    logFile: join(dir, 'logs', `${name}.log`),
    configSchema: SERVICE_CONFIG_SCHEMA,
  }
}

/**
 * The control API on `port` over `supervisor`, started (with every service) before the test
 * file's tests and stopped after them; returns the NativeTarget that talks to it.
 */
export function controlApiFixture(
  supervisor: Supervisor,
  port: number,
  endpoints: StackEndpoints,
): NativeTarget {
  let control: ControlServer
  const target = new NativeTarget(`http://127.0.0.1:${port}`, { token: TEST_CONTROL_TOKEN })
  before(async () => {
    control = createControlServer({ supervisor, endpoints: () => endpoints, token: TEST_CONTROL_TOKEN })
    control.server.listen(port, '127.0.0.1')
    await once(control.server, 'listening')
    await supervisor.startAll()
  })
  after(async () => {
    await target.close()
    await supervisor.stopAll()
    await control.close()
  })
  return target
}
