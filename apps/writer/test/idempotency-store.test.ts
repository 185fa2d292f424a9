/**
 * Idempotency-Keys over the real SQLite store (in process, a real database file): a key
 * survives the service (closed and built again on the same directory), a flood of distinct
 * keys never evicts a live key (new keys get 503 with Retry-After instead), and expired keys
 * make room again. A body nested deeper than WRITE_BODY_MAX_DEPTH is a 400, never a stack overflow.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig, type Service } from '@production-lab/lifecycle'
import { buildApp, type WriterConfig, writerConfigSchema } from '../src/app.js'
import { freshDataDir } from './support/data-dir.js'

const quiet = () => new Writable({ write: (_chunk, _encoding, done) => done() })

async function writer(dataDir: string, env: Record<string, string> = {}): Promise<Service<WriterConfig>> {
  const config = loadConfig(writerConfigSchema, {
    WRITER_DATA_DIR: dataDir,
    WRITE_DELAY_MS: '0',
    LOG_REQUESTS: 'false',
    ...env,
  })
  const service = await buildApp(config, { logDestination: quiet() })
  await service.app.ready()
  return service
}

const post = (service: Service<WriterConfig>, key: string, payload: object = { item: key }) =>
  service.app.inject({ method: 'POST', url: '/write', headers: { 'idempotency-key': key }, payload })

describe('Idempotency-Keys in the durable store', () => {
  test('a committed key replays after the service is closed and built again on the same data', async () => {
    const dataDir = freshDataDir()
    const first = await writer(dataDir)
    const original = await post(first, 'survives-1')
    assert.equal(original.statusCode, 200)
    await first.app.close()

    const second = await writer(dataDir)
    const replay = await post(second, 'survives-1')
    assert.equal(replay.statusCode, 200)
    assert.deepEqual(replay.json(), original.json())
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    const reused = await post(second, 'survives-1', { item: 'another body' })
    assert.equal(reused.statusCode, 422)
    assert.equal(reused.json().error, 'IDEMPOTENCY_KEY_REUSED')
    const stored = await second.app.inject(`/writes/${original.json().id}`)
    assert.equal(stored.statusCode, 200)
    assert.deepEqual(stored.json().body, { item: 'survives-1' })
    await second.app.close()
  })

  test('a body nested 30 000 levels deep, with an Idempotency-Key: 400, not a stack overflow', async () => {
    const service = await writer(freshDataDir())
    const levels = 30_000 // as deep as the default 64 KiB body limit allows
    const payload = `{"a":${'['.repeat(levels)}${']'.repeat(levels)}}`
    for (const key of ['deeply-nested', undefined]) {
      const answer = await service.app.inject({
        method: 'POST',
        url: '/write',
        headers: { 'content-type': 'application/json', ...(key && { 'idempotency-key': key }) },
        payload,
      })
      assert.equal(answer.statusCode, 400, answer.body)
      assert.equal(answer.json().error, 'VALIDATION_FAILED')
      assert.match(answer.json().message, /nests deeper than 32 levels/)
    }
    const shallow = await post(service, 'shallow-enough', { a: [[[{ b: [1] }]]] })
    assert.equal(shallow.statusCode, 200)
    await service.app.close()
  })

  test('a flood of distinct keys never evicts a live key: 503 + Retry-After until keys expire', async () => {
    const maxKeys = 20
    const ttlS = 2
    const service = await writer(freshDataDir(), {
      IDEMPOTENCY_MAX_KEYS: String(maxKeys),
      IDEMPOTENCY_TTL_S: String(ttlS),
      // The flood is 200 requests at once: the writer's admission bound (64 in flight) would
      // shed most of them before they reach the key store this test is about.
      SHED_MAX_IN_FLIGHT: '0',
    })
    const live = new Map<string, string>()
    for (let i = 0; i < maxKeys; i++) {
      const answer = await post(service, `live-${i}`)
      assert.equal(answer.statusCode, 200)
      live.set(`live-${i}`, answer.json().id)
    }
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => post(service, `flood-${i}`)))
    for (const answer of flood) {
      assert.equal(answer.statusCode, 503, answer.body)
      assert.equal(answer.json().error, 'OVERLOADED')
      const retryAfterS = Number(answer.headers['retry-after'])
      assert.ok(retryAfterS >= 1 && retryAfterS <= ttlS, `Retry-After ${retryAfterS} within the TTL`)
    }
    for (const [key, id] of live) {
      const replay = await post(service, key)
      assert.equal(replay.statusCode, 200, `${key} is still live: ${replay.body}`)
      assert.equal(replay.json().id, id, `${key} replays its first answer`)
    }
    const stored = (await service.app.inject('/metrics')).body
    assert.match(
      stored,
      new RegExp(`^writer_stored_writes\\{[^}]*\\} ${maxKeys}$`, 'm'),
      'the flood wrote nothing',
    )

    await sleep(ttlS * 1000 + 100)
    const afterExpiry = await post(service, 'after-expiry')
    assert.equal(afterExpiry.statusCode, 200, 'expired keys made room')
    const expired = await post(service, 'live-0')
    assert.equal(expired.statusCode, 200)
    assert.notEqual(expired.json().id, live.get('live-0'), 'an expired key is a new write')
    await service.app.close()
  })
})
