/**
 * Durable writes, end to end with real processes, a real SQLite file and a real SIGKILL:
 * a steady write load with one Idempotency-Key per logical write; the writer is SIGKILLed in
 * the middle of it and started again on the same data directory. Then every write that was
 * answered 200 is readable by its id, and retrying every key (answered or not) gives exactly
 * one stored write per key: none lost, none doubled. The numbers are printed.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, test } from 'node:test'
import { Agent, request } from 'undici'
import { freshDataDir } from './support/data-dir.js'
import { type ServiceProcess, startService, WRITER } from './support/writer-process.js'

const KILL = {
  /** concurrent clients of the steady load */
  clients: 8,
  /** writes answered 200 before the SIGKILL */
  acknowledgedBeforeKill: 60,
  /** milliseconds of simulated I/O per write: several writes are in flight at the kill */
  writeDelayMs: '20',
}

interface LogicalWrite {
  key: string
  body: { n: number; note: string }
  /** HTTP status of the first attempt; undefined when it got no answer (the process died) */
  status?: number
  id?: string
}

const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((service) => service.kill()))
})

async function startWriter(dataDir: string): Promise<ServiceProcess> {
  const service = await startService(WRITER, {
    WRITER_DATA_DIR: dataDir,
    WRITE_DELAY_MS: KILL.writeDelayMs,
    GRACEFUL_SHUTDOWN_DELAY_S: '0',
    LOG_REQUESTS: 'false',
  })
  running.push(service)
  return service
}

async function post(url: string, write: LogicalWrite, dispatcher: Agent) {
  const response = await request(`${url}/write`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', 'idempotency-key': write.key },
    body: JSON.stringify(write.body),
  })
  const body = (await response.body.json()) as { id?: string; error?: string }
  return { status: response.statusCode, replayed: response.headers['idempotent-replayed'] === 'true', body }
}

describe('writer SIGKILLed under a steady write load', () => {
  test('every acknowledged write survives; retrying every key writes each exactly once', async () => {
    const dataDir = freshDataDir()
    const first = await startWriter(dataDir)
    const agent = new Agent({ connections: KILL.clients })
    const writes: LogicalWrite[] = []
    let killed = false
    let acknowledged = 0
    const client = async () => {
      while (!killed) {
        const n = writes.length
        const write: LogicalWrite = { key: `kill-${n}`, body: { n, note: 'durable e2e' } }
        writes.push(write)
        try {
          const answer = await post(first.url, write, agent)
          write.status = answer.status
          if (answer.status === 200) {
            write.id = answer.body.id
            acknowledged += 1
          }
        } catch {
          return // no answer: the process is gone
        }
      }
    }
    const clients = Array.from({ length: KILL.clients }, client)
    const deadline = performance.now() + 30_000
    while (acknowledged < KILL.acknowledgedBeforeKill) {
      assert.ok(performance.now() < deadline, `only ${acknowledged} writes acknowledged in 30 s`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    first.signal('SIGKILL')
    killed = true
    const exit = await first.exited
    assert.equal(exit.signal, 'SIGKILL')
    await Promise.all(clients)
    await agent.close()
    const acked = writes.filter((w) => w.status === 200)
    const unanswered = writes.filter((w) => w.status === undefined)
    assert.ok(acked.every((w) => typeof w.id === 'string'))
    // A busy machine may shed a write (503 OVERLOADED): not acknowledged, so its retry writes it.
    const refused = writes.filter((w) => w.status !== 200 && w.status !== undefined)
    assert.ok(
      refused.every((w) => w.status === 503),
      `every answer before the kill was 200 or a 503: ${JSON.stringify(refused)}`,
    )
    assert.ok(existsSync(join(dataDir, 'writes.db-wal')), 'the SIGKILL left a WAL behind')

    const second = await startWriter(dataDir)
    const recovered = await second.waitForLog(/^Write store recovered after an unclean stop/)
    assert.equal(recovered.level, 'WARN')
    assert.ok(Number(recovered.recoveredWalBytes) > 0)
    const found = Number(recovered.writes)
    assert.ok(found >= acked.length, `found ${found} writes, ${acked.length} were acknowledged`)
    assert.ok(found <= writes.length, `found ${found} writes, only ${writes.length} were sent`)

    const reader = new Agent({ connections: KILL.clients })
    for (const write of acked) {
      const response = await request(`${second.url}/writes/${write.id}`, { dispatcher: reader })
      const stored = (await response.body.json()) as Record<string, unknown>
      assert.equal(response.statusCode, 200, `GET /writes/${write.id}: ${JSON.stringify(stored)}`)
      assert.equal(stored.id, write.id)
      assert.equal(stored.idempotencyKey, write.key)
      assert.deepEqual(stored.body, write.body)
    }

    let replayed = 0
    let sameIdAsAcknowledged = 0
    for (const write of writes) {
      const answer = await post(second.url, write, reader)
      assert.equal(answer.status, 200, `retry of ${write.key}: ${JSON.stringify(answer.body)}`)
      if (answer.replayed) replayed += 1
      if (write.id !== undefined && answer.body.id === write.id) sameIdAsAcknowledged += 1
    }
    assert.equal(sameIdAsAcknowledged, acked.length, 'every acknowledged key replays its first answer')
    await reader.close()

    second.signal('SIGTERM')
    assert.equal((await second.exited).code, 0, second.stderr())
    assert.ok(!existsSync(join(dataDir, 'writes.db-wal')), 'a clean close folds the WAL into the file')

    const db = new DatabaseSync(join(dataDir, 'writes.db'), { readOnly: true })
    const rows = db
      .prepare('SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM writes')
      .get() as {
      n: number
      keys: number
    }
    const doubled = db
      .prepare('SELECT idempotency_key FROM writes GROUP BY idempotency_key HAVING count(*) > 1')
      .all()
    db.close()
    const summary = {
      sent: writes.length,
      acknowledged: acked.length,
      unansweredAtKill: unanswered.length,
      refusedBeforeKill: refused.length,
      foundAtRestart: found,
      retried: writes.length,
      replayed,
      stored: Number(rows.n),
      duplicated: doubled.length,
    }
    process.stdout.write(`# SIGKILL under load: ${JSON.stringify(summary)}\n`)
    assert.equal(doubled.length, 0, `keys stored twice: ${JSON.stringify(doubled)}`)
    assert.equal(Number(rows.keys), writes.length, 'one stored write per key')
    assert.equal(Number(rows.n), writes.length, 'no write without its key')
    assert.equal(replayed, found, 'every write found at restart was replayed, every other one written once')
  })
})
