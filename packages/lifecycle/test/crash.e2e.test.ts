/**
 * An uncaught exception or unhandled rejection takes the graceful path: logged as FATAL,
 * draining (probes 503), the completion line, exit 1. Real child processes.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { type ServiceProcess, startService } from './support/service-process.js'

const FIXTURE = new URL('./fixtures/crashing-service.ts', import.meta.url).pathname
const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((service) => service.kill()))
})

describe('process-level errors go through the shutdown path', { concurrency: true }, () => {
  const cases = [
    { route: '/throw-later', origin: 'uncaughtException', error: 'boom from a timer' },
    { route: '/reject-later', origin: 'unhandledRejection', error: 'nobody awaited this' },
  ]
  for (const { route, origin, error } of cases) {
    test(`${origin}: logged, drained, exit 1`, async () => {
      const service = await startService(
        FIXTURE,
        { GRACEFUL_SHUTDOWN_DELAY_S: '1', SHUTDOWN_TIMEOUT_S: '10', LOG_REQUESTS: 'false' },
        { nodeArgs: ['--import', 'tsx'] },
      )
      running.push(service)
      assert.equal((await fetch(`${service.url}${route}`)).status, 200)
      const fatal = await service.waitForLog(`${origin}. Starting graceful shutdown...`)
      assert.equal(fatal.level, 'FATAL')
      assert.equal((fatal.error as { message: string }).message, error)
      const health = await fetch(`${service.url}/health`, { headers: { connection: 'close' } })
      assert.equal(health.status, 503)
      const exit = await service.exited
      assert.equal(exit.code, 1)
      assert.ok(service.logs.some((line) => line.message === 'Graceful shutdown complete. Exiting.'))
    })
  }
})
