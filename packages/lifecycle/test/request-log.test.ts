/**
 * Request logging: the access line is a pre-built string and request.log is created only
 * when used, so these pin what they must still do: the exact line shape, the request id
 * on a handler's own lines, the order of lines, and the log level.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { startTestService, type TestService } from './support/test-service.js'

describe('request logging', () => {
  const services: TestService[] = []
  after(() => Promise.all(services.map((service) => service.close())))

  async function start(env: Record<string, string>): Promise<TestService> {
    const service = await startTestService(
      (scope) => {
        scope.get('/hello', async (request) => {
          request.log.info({ detail: 'from the handler' }, 'handler line')
          return { hello: 'world' }
        })
      },
      { env: { LOG_REQUESTS: 'true', ...env }, listen: false },
    )
    services.push(service)
    return service
  }

  test('a handler line carries the request id, and comes before the access line of its request', async () => {
    const service = await start({})
    const response = await service.app.inject({
      method: 'GET',
      url: '/hello?x=%22quoted%22',
      headers: { 'x-request-id': 'req-42' },
    })
    assert.equal(response.headers['x-request-id'], 'req-42')
    await nextTurn()
    const lines = service.logs.filter((line) => line.requestId === 'req-42')
    assert.deepEqual(
      lines.map((line) => line.message),
      ['handler line', 'request completed'],
    )
    const [handler, access] = lines as [Record<string, unknown>, Record<string, unknown>]
    assert.equal(handler.detail, 'from the handler')
    assert.equal(handler.service, 'TEST_SERVICE')
    const { time, pid, durationMs, ...fixed } = access
    assert.deepEqual(Object.keys(access), [
      'level',
      'time',
      'service',
      'pid',
      'requestId',
      'method',
      'route',
      'url',
      'statusCode',
      'durationMs',
      'message',
    ])
    assert.deepEqual(fixed, {
      level: 'INFO',
      service: 'TEST_SERVICE',
      requestId: 'req-42',
      method: 'GET',
      route: '/hello',
      url: '/hello?x=%22quoted%22',
      statusCode: 200,
      message: 'request completed',
    })
    assert.ok(!Number.isNaN(Date.parse(String(time))))
    assert.equal(pid, process.pid)
    assert.equal(typeof durationMs, 'number')
  })

  test('every request gets its own id on its lines', async () => {
    const service = await start({})
    const ids = []
    for (let i = 0; i < 3; i++)
      ids.push((await service.app.inject({ method: 'GET', url: '/hello' })).headers['x-request-id'])
    await nextTurn()
    const handlerIds = service.logs
      .filter((line) => line.message === 'handler line')
      .map((line) => line.requestId)
    assert.deepEqual(handlerIds, ids)
    assert.equal(new Set(ids).size, 3)
  })

  test('LOG_LEVEL=warn silences access lines and info lines alike', async () => {
    const service = await start({ LOG_LEVEL: 'warn' })
    assert.equal((await service.app.inject({ method: 'GET', url: '/hello' })).statusCode, 200)
    await nextTurn()
    assert.deepEqual(service.logs, [])
  })
})
