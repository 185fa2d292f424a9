/**
 * Slow clients (slowloris) against a real service process: a client sending one header byte
 * per second is cut off within HEADERS_TIMEOUT_S plus Node's check interval, and does not hold
 * the shutdown past SHUTDOWN_TIMEOUT_S even with the default (longer) headers timeout.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { slowClient } from '@production-lab/stack'
import { defaults } from '../src/defaults.js'
import { type ServiceProcess, startService } from './support/service-process.js'

const FIXTURE = new URL('./fixtures/crashing-service.ts', import.meta.url).pathname
/** seconds: the bound the first test configures (well below the default, to keep the test short) */
const HEADERS_TIMEOUT_S = 2
/** milliseconds of slack for a busy shared machine */
const SLACK_MS = 1500
const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((service) => service.kill()))
})

test('one header byte per second: cut off within HEADERS_TIMEOUT_S + the check interval', async () => {
  const service = await startService(
    FIXTURE,
    { HEADERS_TIMEOUT_S: String(HEADERS_TIMEOUT_S), REQUEST_TIMEOUT_S: '4', LOG_REQUESTS: 'false' },
    { nodeArgs: ['--import', 'tsx'] },
  )
  running.push(service)
  const client = slowClient(service.port, { maxBytes: 10 })
  const closedAfterMs = await client.closedAfterMs
  const boundMs = HEADERS_TIMEOUT_S * 1000 + defaults.connectionsCheckingIntervalMs + SLACK_MS
  assert.notEqual(closedAfterMs, null, 'the slow client was never cut off (10 bytes in 10 s)')
  assert.ok((closedAfterMs ?? 0) <= boundMs, `cut off after ${closedAfterMs} ms, bound ${boundMs} ms`)
  assert.match(client.received(), /^HTTP\/1\.1 408/)
  // The service still serves others.
  assert.equal((await fetch(`${service.url}/health/live`)).status, 200)
})

test('a slow client does not hold the shutdown past SHUTDOWN_TIMEOUT_S', async () => {
  const shutdownTimeoutS = 4
  const service = await startService(
    FIXTURE,
    { GRACEFUL_SHUTDOWN_DELAY_S: '1', SHUTDOWN_TIMEOUT_S: String(shutdownTimeoutS), LOG_REQUESTS: 'false' },
    { nodeArgs: ['--import', 'tsx'] },
  )
  running.push(service)
  const client = slowClient(service.port, { maxBytes: 15 })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const signalledAtMs = service.elapsedMs()
  service.signal('SIGTERM')
  const exit = await service.exited
  client.destroy()
  assert.equal(exit.code, 0)
  const tookMs = exit.atMs - signalledAtMs
  assert.ok(tookMs <= shutdownTimeoutS * 1000, `the shutdown took ${tookMs} ms`)
})
