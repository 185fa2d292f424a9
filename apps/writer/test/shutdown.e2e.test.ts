/**
 * Graceful shutdown of the real writer process with real signals: in-flight requests
 * complete, new ones are refused with 503 + Retry-After + Connection: close, the guide's
 * two log lines come in order about GRACEFUL_SHUTDOWN_DELAY_S apart, idle keep-alive
 * clients do not hold the process open, a second signal exits at once and the hard
 * timeout cuts a request that never finishes.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, test } from 'node:test'
import { Agent, request } from 'undici'
import { freshDataDir } from './support/data-dir.js'
import { type ServiceProcess, startService, WRITER } from './support/writer-process.js'

const STARTED = 'Received signal 15. Starting graceful shutdown...'
const COMPLETE = 'Graceful shutdown complete. Exiting.'
/** milliseconds of slack for a shared, slow machine */
const MARGIN_MS = 3000

const running: ServiceProcess[] = []
after(async () => {
  await Promise.all(running.map((service) => service.kill()))
})

async function startWriter(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startService(WRITER, {
    SERVICE_NAME: 'SLOW_PRIMARY',
    LOG_REQUESTS: 'false',
    WRITER_DATA_DIR: freshDataDir(),
    ...env,
  })
  running.push(service)
  return service
}

async function inFlight(service: ServiceProcess): Promise<number> {
  const { body } = await request(`${service.url}/metrics`, { reset: true })
  const match = /^http_requests_in_flight\{[^}]*\} (\d+)$/m.exec(await body.text())
  // The scrape itself is in flight too.
  return Number(match?.[1]) - 1
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// One at a time: four Node processes booting at once take longer than the timeouts on a busy 2-core machine.
describe('writer process shutdown', () => {
  test('SIGTERM drains: in-flight complete, new requests 503, two log lines, exit 0', async () => {
    const delayS = 2
    const dataDir = freshDataDir()
    const service = await startWriter({
      WRITER_DATA_DIR: dataDir,
      WRITE_DELAY_MS: '1500',
      GRACEFUL_SHUTDOWN_DELAY_S: String(delayS),
      SHUTDOWN_TIMEOUT_S: '20',
    })
    const held = 5
    const agent = new Agent({ connections: held + 1 })
    const writes = Array.from({ length: held }, (_, i) =>
      request(`${service.url}/write`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      }).then(async (response) => ({
        status: response.statusCode,
        connection: response.headers.connection,
        body: (await response.body.json()) as { service: string; id: string },
      })),
    )
    await waitUntil(async () => (await inFlight(service)) === held, `${held} writes in flight`)

    service.signal('SIGTERM')
    const started = await service.waitForLog(STARTED)

    const refused = await request(`${service.url}/write`, { method: 'POST', reset: true })
    assert.equal(refused.statusCode, 503)
    assert.equal(refused.headers['retry-after'], '5')
    assert.equal(refused.headers.connection, 'close')
    const refusedBody = (await refused.body.json()) as Record<string, string>
    assert.equal(refusedBody.error, 'SHUTTING_DOWN')
    assert.equal(refusedBody.requestId, refused.headers['x-request-id'])

    // The guide's `curl -i .../write` (a GET) during the drain: 503, not 405.
    const guideProbe = await request(`${service.url}/write`, { reset: true })
    assert.equal(guideProbe.statusCode, 503)
    assert.equal(((await guideProbe.body.json()) as { error: string }).error, 'SHUTTING_DOWN')

    const health = await request(`${service.url}/health`, { reset: true })
    assert.equal(health.statusCode, 503)
    assert.equal(health.headers['retry-after'], '5')
    assert.deepEqual(await health.body.json(), { status: 'shutdown_in_progress', service: 'SLOW_PRIMARY' })
    const live = await request(`${service.url}/health/live`, { reset: true })
    assert.equal(live.statusCode, 200, 'draining is not dead')
    await live.body.dump()
    const ready = await request(`${service.url}/health/ready`, { reset: true })
    assert.equal(ready.statusCode, 503)
    await ready.body.dump()

    const answers = await Promise.all(writes)
    for (const answer of answers) {
      assert.equal(answer.status, 200)
      assert.equal(answer.body.service, 'SLOW_PRIMARY')
      assert.equal(answer.connection, 'close', 'answers during the drain close their connection')
    }
    assert.equal(new Set(answers.map((answer) => answer.body.id)).size, held)

    const exit = await service.exited
    assert.equal(exit.code, 0, service.stderr())
    const complete = service.logs.find((line) => line.message === COMPLETE)
    assert.ok(complete, 'the completion line is logged')
    const messages = service.logs.map((line) => line.message)
    assert.ok(messages.indexOf(STARTED) < messages.indexOf(COMPLETE))
    // The database is closed last, after the in-flight writes committed: all of them are in it.
    // (Compared by time: the last lines may reach stdout out of order as the process flushes its log.)
    const closed = service.logs.findIndex((line) => line.message.startsWith('Write store closed cleanly'))
    const at = (line: Record<string, unknown> | undefined) => Date.parse(String(line?.time))
    assert.ok(
      at(started) <= at(service.logs[closed]) && at(service.logs[closed]) <= at(complete),
      `the store closes after the drain began and before the last line: ${JSON.stringify(service.logs.slice(-3))}`,
    )
    assert.equal(service.logs[closed]?.writes, held)
    assert.ok(!existsSync(join(dataDir, 'writes.db-wal')), 'closed cleanly: no WAL left')
    const db = new DatabaseSync(join(dataDir, 'writes.db'), { readOnly: true })
    const stored = db
      .prepare('SELECT id FROM writes')
      .all()
      .map((row) => row.id)
    db.close()
    assert.deepEqual(stored.sort(), answers.map((answer) => answer.body.id).sort())
    assert.equal(started.level, 'INFO')
    assert.equal(complete.level, 'INFO')
    const apartMs = Date.parse(String(complete.time)) - Date.parse(String(started.time))
    assert.ok(apartMs >= delayS * 1000, `the lines are ${apartMs} ms apart, at least the delay`)
    assert.ok(apartMs < delayS * 1000 + MARGIN_MS, `the lines are ${apartMs} ms apart, about the delay`)
    await agent.close()
  })

  test('idle keep-alive connections do not hold the process open', async () => {
    const delayS = 1
    const service = await startWriter({ GRACEFUL_SHUTDOWN_DELAY_S: String(delayS), SHUTDOWN_TIMEOUT_S: '15' })
    // A pooled client that made a request and keeps its socket, a socket that never sent
    // anything, one that stopped halfway through its headers...
    const agent = new Agent({ keepAliveTimeout: 60_000, connections: 1 })
    const first = await request(`${service.url}/health`, { dispatcher: agent })
    assert.equal(first.headers.connection, 'keep-alive')
    await first.body.dump()
    const silent = connect(service.port, '127.0.0.1')
    const halfway = connect(service.port, '127.0.0.1', () =>
      halfway.write('GET /health HTTP/1.1\r\nHost: x\r\n'),
    )
    // And a client that got its 400 for a malformed request but never closes its side.
    const refused = connect(service.port, '127.0.0.1', () => refused.write('NOT HTTP\r\n\r\n'))
    for (const socket of [silent, halfway, refused]) socket.on('error', () => {})
    await new Promise((resolve) => setTimeout(resolve, 100))

    service.signal('SIGTERM')
    const started = await service.waitForLog(STARTED)
    const exit = await service.exited
    assert.equal(exit.code, 0, JSON.stringify(service.logs.slice(-3)))
    const tookMs = exit.atMs - started.receivedAtMs
    assert.ok(tookMs < delayS * 1000 + MARGIN_MS, `exit ${tookMs} ms after SIGTERM, delay ${delayS} s`)
    for (const socket of [silent, halfway, refused]) socket.destroy()
    await agent.close()
  })

  test('a second SIGTERM exits at once with 143', async () => {
    const service = await startWriter({
      WRITE_DELAY_MS: '10000',
      BREAKER_TIMEOUT_MS: '60000',
      GRACEFUL_SHUTDOWN_DELAY_S: '10',
      SHUTDOWN_TIMEOUT_S: '30',
    })
    const write = request(`${service.url}/write`, { method: 'POST' }).catch((error: Error) => error)
    await waitUntil(async () => (await inFlight(service)) === 1, 'a write in flight')
    service.signal('SIGTERM')
    await service.waitForLog(STARTED)
    const secondAt = service.elapsedMs()
    service.signal('SIGTERM')
    const exit = await service.exited
    assert.equal(exit.code, 143)
    assert.ok(exit.atMs - secondAt < MARGIN_MS, `exited ${exit.atMs - secondAt} ms after the second signal`)
    const line = service.logs.find((l) => l.message.startsWith('Received signal 15 again'))
    assert.ok(line, 'the second signal is logged')
    assert.ok((await write) instanceof Error, 'the cut write fails on the client side')
  })

  test('SHUTDOWN_TIMEOUT_S cuts a request that never finishes: exit 1 and a log of what was cut', async () => {
    const timeoutS = 2
    const service = await startWriter({
      WRITE_DELAY_MS: '60000',
      BREAKER_TIMEOUT_MS: '120000',
      GRACEFUL_SHUTDOWN_DELAY_S: '0.5',
      SHUTDOWN_TIMEOUT_S: String(timeoutS),
    })
    const write = request(`${service.url}/write`, {
      method: 'POST',
      headers: { 'x-request-id': 'never-finishes' },
    }).catch((error: Error) => error)
    await waitUntil(async () => (await inFlight(service)) === 1, 'a write in flight')
    service.signal('SIGTERM')
    const started = await service.waitForLog(STARTED)
    const exit = await service.exited
    assert.equal(exit.code, 1)
    const cut = service.logs.find((line) => line.message.startsWith('Shutdown timed out'))
    assert.ok(cut, 'the timeout is logged')
    assert.equal(cut.level, 'ERROR')
    const tookMs = Date.parse(String(cut.time)) - Date.parse(String(started.time))
    assert.ok(
      tookMs >= timeoutS * 1000 && tookMs < timeoutS * 1000 + MARGIN_MS,
      `cut ${tookMs} ms after SIGTERM`,
    )
    const inFlightList = cut.inFlight as Array<{ method: string; url: string; requestId: string }>
    assert.deepEqual(
      inFlightList.map(({ method, url, requestId }) => ({ method, url, requestId })),
      [{ method: 'POST', url: '/write', requestId: 'never-finishes' }],
    )
    assert.ok(!service.logs.some((line) => line.message === COMPLETE))
    assert.ok((await write) instanceof Error)
  })
})
