import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { loadConfig, type Service } from '@production-lab/lifecycle'
import { buildApp, type ReaderConfig, readerConfigSchema, readerDefaults } from '../src/app.js'

describe('GET /read (in process)', () => {
  let service: Service<ReaderConfig>

  before(async () => {
    const config = loadConfig(readerConfigSchema, {
      SERVICE_NAME: 'FAST_REPLICA_2',
      READ_DELAY_MS: '20',
      LOG_REQUESTS: 'false',
    })
    service = await buildApp(config, {
      logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }),
    })
    await service.app.ready()
  })
  after(() => service.app.close())

  test('defaults: FAST_REPLICA_1 on 7002, 5 ms of I/O wait', () => {
    const config = loadConfig(readerConfigSchema, {})
    assert.equal(config.SERVICE_NAME, 'FAST_REPLICA_1')
    assert.equal(config.PORT, 7002)
    assert.equal(config.READ_DELAY_MS, 5)
    assert.equal(config.READ_CPU_MS, 0)
  })

  test('answers the replica name from SERVICE_NAME after READ_DELAY_MS', async () => {
    const started = performance.now()
    const answer = await service.app.inject('/read')
    assert.ok(performance.now() - started >= 20)
    assert.equal(answer.statusCode, 200)
    const body = answer.json()
    assert.deepEqual(Object.keys(body).sort(), ['delayMs', 'servedAt', 'service'])
    assert.equal(body.service, 'FAST_REPLICA_2')
    assert.equal(body.delayMs, 20)
    assert.ok(!Number.isNaN(Date.parse(body.servedAt)))
  })

  test('HEAD works like GET; other methods get 405 with Allow: GET', async () => {
    assert.equal((await service.app.inject({ method: 'HEAD', url: '/read' })).statusCode, 200)
    const post = await service.app.inject({ method: 'POST', url: '/read' })
    assert.equal(post.statusCode, 405)
    assert.equal(post.headers.allow, 'GET')
    assert.equal(post.json().error, 'METHOD_NOT_ALLOWED')
  })

  test('?bytes=N pads the answer to N bytes, up to 64 KiB; without it the answer is unchanged', async () => {
    const plain = await service.app.inject('/read')
    assert.deepEqual(Object.keys(plain.json()).sort(), ['delayMs', 'servedAt', 'service'])
    const max = readerDefaults.maxReadBytes
    assert.equal(max, 64 * 1024)
    for (const bytes of [1024, max]) {
      const padded = await service.app.inject(`/read?bytes=${bytes}`)
      assert.equal(padded.statusCode, 200)
      assert.equal(padded.rawPayload.length, bytes)
      assert.equal(padded.json().service, 'FAST_REPLICA_2')
    }
    // Below the guide's own answer: the answer as it is, no padding.
    const small = await service.app.inject('/read?bytes=0')
    assert.equal(small.statusCode, 200)
    assert.equal(small.rawPayload.length, plain.rawPayload.length)
  })

  test('?bytes out of 0..64 KiB or not an integer: 400 VALIDATION_FAILED', async () => {
    for (const bytes of [String(readerDefaults.maxReadBytes + 1), '-1', 'abc', '1.5', '']) {
      const answer = await service.app.inject(`/read?bytes=${bytes}`)
      assert.equal(answer.statusCode, 400, `bytes=${bytes}`)
      assert.equal(answer.json().error, 'VALIDATION_FAILED', `bytes=${bytes}`)
    }
  })
})
