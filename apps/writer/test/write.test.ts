import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { loadConfig, type Service } from '@production-lab/lifecycle'
import { buildApp, type WriterConfig, writerConfigSchema } from '../src/app.js'
import { freshDataDir } from './support/data-dir.js'

const TOKEN = 'writer-test-admin-token'

describe('POST /write (in process)', () => {
  let service: Service<WriterConfig>
  const post = (headers: Record<string, string> = {}, payload: unknown = { item: 1 }) =>
    service.app.inject({ method: 'POST', url: '/write', headers, payload: payload as object })
  const writesTotal = async () => {
    const metrics = (await service.app.inject('/metrics')).body
    return Number(/^writer_writes_total\{service="SLOW_PRIMARY"\} (\d+)$/m.exec(metrics)?.[1])
  }
  const setFaults = (payload: object) =>
    service.app.inject({
      method: 'PUT',
      url: '/admin/faults',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload,
    })

  before(async () => {
    const config = loadConfig(writerConfigSchema, {
      WRITE_DELAY_MS: '200',
      WRITER_DATA_DIR: freshDataDir(),
      ADMIN_TOKEN: TOKEN,
      LOG_REQUESTS: 'false',
    })
    service = await buildApp(config, {
      logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }),
    })
    await service.app.ready()
  })
  after(() => service.app.close())

  test('defaults: the slow primary on 7001, 50 ms of I/O wait plus a little real CPU work', () => {
    const config = loadConfig(writerConfigSchema, {})
    assert.equal(config.SERVICE_NAME, 'SLOW_PRIMARY')
    assert.equal(config.PORT, 7001)
    assert.equal(config.WRITE_DELAY_MS, 50)
    assert.ok(config.WRITE_CPU_MS > 0)
    // The lifecycle's admission bound is off by default and on for the writer (writer-defaults.ts).
    assert.equal(config.SHED_MAX_IN_FLIGHT, 64)
    assert.equal(config.SHED_MAX_QUEUE_MS, 1000)
    assert.equal(loadConfig(writerConfigSchema, { SHED_MAX_IN_FLIGHT: '0' }).SHED_MAX_IN_FLIGHT, 0)
  })

  test('answers the service name and a fresh id; an empty POST is an empty object', async () => {
    const before = await writesTotal()
    const started = performance.now()
    const first = await post()
    assert.ok(performance.now() - started >= 200, 'the write waited WRITE_DELAY_MS')
    const empty = await service.app.inject({ method: 'POST', url: '/write' })
    for (const answer of [first, empty]) {
      assert.equal(answer.statusCode, 200, answer.body)
      assert.equal(answer.json().service, 'SLOW_PRIMARY')
      assert.match(answer.json().id, /^[0-9a-f-]{36}$/)
    }
    assert.notEqual(first.json().id, empty.json().id)
    assert.equal(await writesTotal(), before + 2)
  })

  test('Idempotency-Key: a replay returns the first answer without a second write', async () => {
    const before = await writesTotal()
    const first = await post({ 'idempotency-key': 'replay-1' })
    const again = await post({ 'idempotency-key': 'replay-1' })
    assert.equal(again.statusCode, 200)
    assert.deepEqual(again.json(), first.json())
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.equal(first.headers['idempotent-replayed'], undefined)
    assert.equal(await writesTotal(), before + 1)
  })

  test('Idempotency-Key: a duplicate while the first runs gets 409 with Retry-After, not a second write', async () => {
    const before = await writesTotal()
    const [first, duplicate] = await Promise.all([
      post({ 'idempotency-key': 'concurrent-1' }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        post({ 'idempotency-key': 'concurrent-1' }),
      ),
    ])
    assert.equal(first.statusCode, 200)
    assert.equal(duplicate.statusCode, 409)
    assert.equal(duplicate.json().error, 'IDEMPOTENCY_CONFLICT')
    assert.equal(duplicate.headers['retry-after'], '1')
    assert.equal(await writesTotal(), before + 1)
  })

  test('Idempotency-Key: the same key with a different body gets 422', async () => {
    await post({ 'idempotency-key': 'body-1' }, { item: 1 })
    const other = await post({ 'idempotency-key': 'body-1' }, { item: 2 })
    assert.equal(other.statusCode, 422)
    assert.equal(other.json().error, 'IDEMPOTENCY_KEY_REUSED')
  })

  test('Idempotency-Key: a failed write is forgotten, so its retry writes', async () => {
    const before = await writesTotal()
    await setFaults({ dependencyFailureRate: 1 })
    const failed = await post({ 'idempotency-key': 'retry-1' })
    assert.equal(failed.statusCode, 503)
    assert.equal(failed.json().error, 'DEPENDENCY_UNAVAILABLE')
    assert.ok(failed.headers['retry-after'])
    await service.app.inject({
      method: 'DELETE',
      url: '/admin/faults',
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const retried = await post({ 'idempotency-key': 'retry-1' })
    assert.equal(retried.statusCode, 200)
    assert.equal(retried.headers['idempotent-replayed'], undefined)
    assert.equal(await writesTotal(), before + 1)
  })
})
