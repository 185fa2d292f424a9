/**
 * Group commit over a real SQLite file (in process): writes that become ready in the same
 * event-loop turn share one transaction, each still answered only after it; and a write the
 * breaker gave up on (timeout, 503 to its client) is never committed afterwards.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig, type Service } from '@production-lab/lifecycle'
import { buildApp, type WriterConfig, writerConfigSchema } from '../src/app.js'
import { freshDataDir } from './support/data-dir.js'

async function writer(env: Record<string, string>): Promise<Service<WriterConfig>> {
  const config = loadConfig(writerConfigSchema, {
    WRITER_DATA_DIR: freshDataDir(),
    LOG_REQUESTS: 'false',
    ...env,
  })
  const service = await buildApp(config, {
    logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  })
  await service.app.ready()
  return service
}

async function metric(service: Service<WriterConfig>, name: string): Promise<number> {
  const text = (await service.app.inject('/metrics')).body
  return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1])
}

describe('group commit', () => {
  test('20 writes ready in the same turn share transactions; each is stored and answered once', async () => {
    const service = await writer({ WRITE_DELAY_MS: '50', WRITE_CPU_MS: '0' })
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        service.app.inject({
          method: 'POST',
          url: '/write',
          headers: { 'idempotency-key': `batch-${i}` },
          payload: { i },
        }),
      ),
    )
    assert.ok(answers.every((answer) => answer.statusCode === 200))
    assert.equal(new Set(answers.map((answer) => answer.json().id)).size, 20)
    const transactions = await metric(service, 'writer_store_commit_writes_count')
    assert.equal(await metric(service, 'writer_store_commit_writes_sum'), 20, 'every write in a transaction')
    assert.ok(transactions < 20, `20 writes in ${transactions} transactions`)
    assert.equal(await metric(service, 'writer_stored_writes'), 20)
    assert.equal(await metric(service, 'writer_idempotency_keys_stored'), 20)
    await service.app.close()
  })

  test('a write the breaker timed out is never committed afterwards', async () => {
    const service = await writer({ WRITE_DELAY_MS: '300', BREAKER_TIMEOUT_MS: '100' })
    const answer = await service.app.inject({
      method: 'POST',
      url: '/write',
      headers: { 'idempotency-key': 'too-slow' },
      payload: { item: 1 },
    })
    assert.equal(answer.statusCode, 503)
    assert.match(answer.json().message, /timed out after 100 ms/)
    await sleep(500)
    assert.equal(await metric(service, 'writer_stored_writes'), 0, 'the abandoned write stayed out')
    await service.app.close()
  })
})
