import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { EXIT_CONFIG_ERROR } from '@production-lab/lifecycle'
import { Agent, request } from 'undici'
import {
  runService,
  type ServiceProcess,
  startService,
} from '../../../packages/lifecycle/test/support/service-process.js'

const READER = new URL('../dist/main.js', import.meta.url).pathname
const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((service) => service.kill()))
})

describe('reader process', { concurrency: true }, () => {
  test('serves /read, then SIGINT drains for GRACEFUL_SHUTDOWN_DELAY_S with a keep-alive client attached, exit 0', async () => {
    const service = await startService(READER, {
      SERVICE_NAME: 'FAST_REPLICA_1',
      GRACEFUL_SHUTDOWN_DELAY_S: '1',
      SHUTDOWN_TIMEOUT_S: '15',
    })
    running.push(service)
    const agent = new Agent({ keepAliveTimeout: 60_000 })
    const read = await request(`${service.url}/read`, { dispatcher: agent })
    assert.equal(read.statusCode, 200)
    assert.equal(((await read.body.json()) as { service: string }).service, 'FAST_REPLICA_1')
    const access = await service.waitForLog(
      (line) => line.message === 'request completed' && line.route === '/read',
    )
    assert.equal(access.statusCode, 200)
    assert.equal(access.method, 'GET')

    service.signal('SIGINT')
    const started = await service.waitForLog('Received signal 2. Starting graceful shutdown...')
    const refused = await request(`${service.url}/read`, { reset: true })
    assert.equal(refused.statusCode, 503)
    assert.ok(refused.headers['retry-after'])
    await refused.body.dump()
    const exit = await service.exited
    assert.equal(exit.code, 0)
    const complete = await service.waitForLog('Graceful shutdown complete. Exiting.')
    const apartMs = Date.parse(String(complete.time)) - Date.parse(String(started.time))
    assert.ok(apartMs >= 1000 && apartMs < 4000, `${apartMs} ms between the two lines`)
    await agent.close()
  })

  test('a port already in use: one FATAL line naming it, exit 1 at once (nothing to drain)', async () => {
    const first = await startService(READER, { GRACEFUL_SHUTDOWN_DELAY_S: '1' })
    running.push(first)
    const second = runService(READER, { PORT: String(first.port), GRACEFUL_SHUTDOWN_DELAY_S: '10' })
    const exit = await second.exited
    assert.equal(exit.code, 1)
    const fatal = second.logs.find((line) => line.level === 'FATAL')
    assert.equal(
      fatal?.message,
      `Cannot listen on 127.0.0.1:${first.port}: listen EADDRINUSE: address already in use 127.0.0.1:${first.port}`,
    )
    assert.ok(!second.logs.some((line) => line.message.includes('graceful shutdown')))
    assert.equal(
      (await request(`${first.url}/read`, { reset: true })).statusCode,
      200,
      'the first one is untouched',
    )
  })

  test('a bad configuration exits 78 before listening', async () => {
    const service = runService(READER, { READ_DELAY_MS: '-5', LOG_LEVEL: 'chatty' })
    const exit = await service.exited
    assert.equal(exit.code, EXIT_CONFIG_ERROR)
    assert.deepEqual(service.stderr().trim().split('\n').sort(), [
      'config error: LOG_LEVEL="chatty" is invalid: expected one of fatal, error, warn, info, debug, trace, silent (pino log level)',
      'config error: READ_DELAY_MS="-5" is invalid: expected a number >= 0 <= 60000 (I/O wait per read, ms)',
    ])
  })
})
