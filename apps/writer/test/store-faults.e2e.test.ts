/**
 * Storage faults on a real writer process with a real SQLite file:
 * - an unusable data directory stops startup with one clear line, before anything listens;
 * - a database locked by another connection, or full (at WRITER_MAX_DB_BYTES: SQLite's
 *   SQLITE_FULL, the error a full disk gives), answers JSON 503 and opens the breaker, never
 *   a 200 and never a crash; once the fault is gone, writes succeed again.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { freshDataDir } from './support/data-dir.js'
import { runService, type ServiceProcess, startService, WRITER } from './support/writer-process.js'

/** the breaker opens after this many failed calls in its window */
const VOLUME = 4
const RESET_MS = 1000

const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((service) => service.kill()))
})

async function startWriter(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startService(WRITER, {
    WRITE_DELAY_MS: '1',
    LOG_REQUESTS: 'false',
    BREAKER_VOLUME_THRESHOLD: String(VOLUME),
    BREAKER_RESET_TIMEOUT_MS: String(RESET_MS),
    ...env,
  })
  running.push(service)
  return service
}

async function write(service: ServiceProcess, body: object = { item: 1 }) {
  const response = await request(`${service.url}/write`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return {
    status: response.statusCode,
    retryAfter: response.headers['retry-after'],
    contentType: String(response.headers['content-type']),
    body: (await response.body.json()) as { error?: string; message?: string; id?: string },
  }
}

async function ready(service: ServiceProcess): Promise<number> {
  const response = await request(`${service.url}/health/ready`)
  await response.body.dump()
  return response.statusCode
}

/** Writes until the breaker answers "circuit open"; every answer on the way must be a JSON 503. */
async function failUntilOpen(service: ServiceProcess, body: object, expectedReason: RegExp) {
  const failures: string[] = []
  for (let i = 0; i < 3 * VOLUME; i++) {
    const answer = await write(service, body)
    assert.equal(answer.status, 503, `write ${i}: ${JSON.stringify(answer.body)}`)
    assert.match(answer.contentType, /^application\/json/)
    assert.equal(answer.body.error, 'DEPENDENCY_UNAVAILABLE')
    assert.ok(answer.retryAfter, 'a 503 says when to retry')
    if (/circuit open/.test(answer.body.message ?? '')) return failures
    assert.match(answer.body.message ?? '', expectedReason)
    failures.push(answer.body.message ?? '')
  }
  assert.fail(`the breaker did not open after ${3 * VOLUME} failed writes`)
}

describe('writer storage faults', () => {
  test('an unwritable data directory stops startup with one line naming WRITER_DATA_DIR', async () => {
    const notADir = join(freshDataDir(), 'a-file')
    writeFileSync(notADir, '')
    const service = runService(WRITER, { WRITER_DATA_DIR: join(notADir, 'data') })
    const exit = await service.exited
    assert.equal(exit.code, 73)
    const lines = service.stderr().trim().split('\n')
    assert.equal(lines.length, 1, service.stderr())
    assert.match(lines[0] ?? '', /^storage error: WRITER_DATA_DIR=\S+ is not a writable directory: ENOTDIR/)
    assert.ok(!service.logs.some((line) => line.message.includes('ready on')), 'it never listened')
  })

  test('a database that is not a database stops startup with one line', async () => {
    const dataDir = freshDataDir()
    writeFileSync(join(dataDir, 'writes.db'), 'not a database, just text '.repeat(200))
    const service = runService(WRITER, { WRITER_DATA_DIR: dataDir })
    const exit = await service.exited
    assert.equal(exit.code, 73)
    assert.match(
      service.stderr(),
      /^storage error: cannot open the write store .*writes\.db.*: file is not a database\n$/,
    )
  })

  test('a database locked by another connection: JSON 503, the breaker opens, then recovers', async () => {
    const dataDir = freshDataDir()
    const service = await startWriter({ WRITER_DATA_DIR: dataDir })
    assert.equal((await write(service)).status, 200)

    const other = new DatabaseSync(join(dataDir, 'writes.db'))
    other.exec('BEGIN IMMEDIATE')
    try {
      const failures = await failUntilOpen(service, { item: 2 }, /storage failed: database is locked/)
      assert.ok(failures.length >= 1, 'the writes failed before the breaker opened')
      assert.equal(await ready(service), 503, 'not ready while the storage breaker is open')
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    await sleep(RESET_MS + 200)
    const recovered = await write(service, { item: 3 })
    assert.equal(recovered.status, 200, JSON.stringify(recovered.body))
    assert.equal(await ready(service), 200)
    assert.equal(service.child.exitCode, null, 'still running')
    assert.ok(
      service.logs.some((line) => /^Write store failed to commit: database is locked/.test(line.message)),
    )
  })

  test('a full database (WRITER_MAX_DB_BYTES): JSON 503, the breaker opens, stored writes stay readable', async () => {
    const service = await startWriter({
      WRITER_DATA_DIR: freshDataDir(),
      WRITER_MAX_DB_BYTES: String(64 * 1024),
    })
    const blob = 'x'.repeat(3000)
    const stored: string[] = []
    let answer = await write(service, { blob })
    while (answer.status === 200 && stored.length < 100) {
      stored.push(answer.body.id ?? '')
      answer = await write(service, { blob })
    }
    assert.ok(stored.length > 0, 'some writes fit')
    assert.equal(answer.status, 503, JSON.stringify(answer.body))
    assert.match(answer.body.message ?? '', /storage failed: database or disk is full/)
    await failUntilOpen(service, { blob }, /storage failed: database or disk is full/)
    for (const id of stored) {
      const response = await request(`${service.url}/writes/${id}`)
      assert.equal(response.statusCode, 200)
      await response.body.dump()
    }
    const metrics = await (await request(`${service.url}/metrics`)).body.text()
    assert.match(metrics, new RegExp(`^writer_stored_writes\\{[^}]*\\} ${stored.length}$`, 'm'))
    assert.equal(service.child.exitCode, null, 'still running')
  })
})
