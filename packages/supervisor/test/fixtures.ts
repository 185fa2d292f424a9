/** Supervised stand-in services on the test port range (17220-17249). */
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { NativeTarget, type StackEndpoints } from '@production-lab/control'
import { type ControlServer, createControlServer } from '../src/control-server.js'
import type { ProcessSpec } from '../src/managed-process.js'
import type { Supervisor } from '../src/supervisor.js'

export const SERVICE_SCRIPT = fileURLToPath(new URL('./fixtures/service.mjs', import.meta.url))

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
  const target = new NativeTarget(`http://127.0.0.1:${port}`)
  before(async () => {
    control = createControlServer({ supervisor, endpoints: () => endpoints })
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
