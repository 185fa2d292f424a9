/** Supervised stand-in services on the test port range (17220-17249). */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProcessSpec } from '../src/stack/managed-process.js'

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
