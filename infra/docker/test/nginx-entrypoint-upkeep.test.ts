/**
 * nginx_lb's entrypoint upkeep on an nginx without upstream `resolve` (Debian's 1.22, the
 * stand-in image's): it must follow the upstream names itself, and it rotates the access-log
 * copy nginx_log_exporter reads. The real script runs the real nginx in front of real HTTP
 * servers; the names live in an /etc/hosts of a private mount namespace, which the test
 * rewrites the way a container network's DNS changes when a container stops or comes back at
 * another address.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { NGINX_TEMPLATE_PATH } from '@production-lab/stack'
import { DOCKER_DIR, run } from './support/files.js'

const PATH = `${DOCKER_DIR}:/usr/sbin:${process.env.PATH}`
/** seconds between the follower's tries and lookups, and the rotation checks: short, so the test waits little */
const FOLLOW_INTERVAL_S = 0.2
/** milliseconds the test allows the entrypoint to notice a change and reload nginx */
const FOLLOW_BOUND_MS = 5000
/** milliseconds waitForReload waits after the reload line, for the new workers */
const RELOAD_SETTLE_MS = 300
/**
 * milliseconds from a server's end to nginx's reload without it: what the compose scenarios
 * allow (lbForgetsGoneMs); the follower reacts to the closed connection, so it takes a reload.
 */
const LEAVE_BOUND_MS = 2000
/** milliseconds a restarted server listens before it is ready (answers /health/ready 200) */
const NOT_READY_MS = 1500
/**
 * milliseconds the test allows a rotation of the exporter's copy (checked every
 * FOLLOW_INTERVAL_S, then nginx reopens its logs). Without rotation it never happens, so a wide
 * bound loses nothing: run35, under two CPU burners, needed more than 5 s.
 */
const ROTATION_BOUND_MS = 20_000
/** bytes: a small rotation threshold for the exporter's access-log copy (about 10 lines) */
const EXPORTER_LOG_MAX_BYTES = 3000

const serverName = new WeakMap<Server, string>()

/** An upstream that answers every request with its own name. */
async function startNamedServer(name: string, host: string, port = 0): Promise<Server> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ servedBy: name }))
  })
  serverName.set(server, name)
  server.listen(port, host)
  await once(server, 'listening')
  return server
}

/**
 * The same upstream in a process of its own (so it can be SIGKILLed); resolves once it listens.
 * For its first `notReadyMs` it answers GET /health/ready 503, as a lifecycle service does
 * between listen and ready.
 */
async function startChildServer(name: string, port: number, notReadyMs = 0): Promise<ChildProcess> {
  const code = `const readyAt = Date.now() + ${notReadyMs}; require('node:http').createServer((q, r) => { r.setHeader('content-type', 'application/json'); if (q.url === '/health/ready' && Date.now() < readyAt) { r.statusCode = 503; r.end('{"status":"starting"}'); return } r.end(JSON.stringify({ servedBy: ${JSON.stringify(name)} })) }).listen(${port}, '127.0.0.1', () => console.log('listening'))`
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer]
  assert.match(String(chunk), /listening/)
  return child
}

const portOf = (server: Server) => (server.address() as AddressInfo).port

async function freePort(): Promise<number> {
  const server = await startNamedServer('probe', '127.0.0.1')
  const port = portOf(server)
  server.close()
  await once(server, 'close')
  return port
}

/** One GET through nginx: status and the `servedBy` of the answer (or the error code). */
async function read(
  url: string,
): Promise<{ status: number; servedBy: string; message?: string; elapsedMs: number }> {
  const started = performance.now()
  const response = await fetch(`${url}/read`, { signal: AbortSignal.timeout(10_000) })
  const body = (await response.json()) as { servedBy?: string; error?: string; message?: string }
  return {
    status: response.status,
    servedBy: body.servedBy ?? body.error ?? '?',
    message: body.message,
    elapsedMs: performance.now() - started,
  }
}

describe('nginx entrypoint on an nginx without upstream resolve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-follow-test-'))
  const hosts = join(dir, 'hosts')
  const exporterLog = join(dir, 'exporter', 'access.log')
  const servers: Server[] = []
  let reader2: ChildProcess
  let nginx: ChildProcess
  let stderr = ''
  let lbUrl = ''
  const ports = { writer: 0, reader1: 0, reader2: 0 }

  /** Rewrites the namespace's /etc/hosts in place (the bind mount follows the same file). */
  const setHosts = (entries: Record<string, string>) =>
    writeFileSync(
      hosts,
      `127.0.0.1 localhost\n${Object.entries(entries)
        .map(([name, address]) => `${address} ${name}\n`)
        .join('')}`,
    )

  /** Waits until the entrypoint logged a reload whose address list matches. */
  async function waitForReload(addresses: RegExp): Promise<void> {
    const deadline = Date.now() + FOLLOW_BOUND_MS
    const seen = () =>
      stderr.split('\n').some((line) => /upstream addresses now/.test(line) && addresses.test(line))
    while (!seen()) {
      assert.ok(
        Date.now() < deadline,
        `no reload to ${addresses} within ${FOLLOW_BOUND_MS} ms; stderr:\n${stderr}`,
      )
      await sleep(50)
    }
    // The reload signal is sent; the new workers take over within moments.
    await sleep(RELOAD_SETTLE_MS)
  }

  const reloadCount = () => stderr.match(/reloading nginx/g)?.length ?? 0

  /** `count` reads through nginx, counted by the server that answered (all must be 200). */
  async function servedBy(count: number): Promise<Record<string, number>> {
    const answers = await Promise.all(Array.from({ length: count }, () => read(lbUrl)))
    const counts: Record<string, number> = {}
    for (const answer of answers) {
      assert.equal(answer.status, 200, JSON.stringify(answer))
      counts[answer.servedBy] = (counts[answer.servedBy] ?? 0) + 1
    }
    return counts
  }

  before(async () => {
    const version = (await run('sh', ['-c', 'nginx -v 2>&1'], { env: { PATH } })).stdout
    assert.match(
      version,
      /nginx\/1\.(?:1?\d|2[0-6])\.|nginx\/1\.27\.[0-2]\b/,
      `these tests need an nginx older than 1.27.3 (the one the entrypoint follows names for); found ${version}`,
    )
    const writer = await startNamedServer('app_slow', '127.0.0.1')
    ports.writer = portOf(writer)
    const reader1 = await startNamedServer('app_fast_1', '127.0.0.1')
    ports.reader1 = portOf(reader1)
    ports.reader2 = await freePort()
    reader2 = await startChildServer('app_fast_2', ports.reader2)
    // Where app_fast_1 "comes back" later: another address, the same port.
    servers.push(
      writer,
      reader1,
      await startNamedServer('app_fast_1 (new address)', '127.0.0.2', ports.reader1),
    )
    setHosts({ app_slow: '127.0.0.1', app_fast_1: '127.0.0.1', app_fast_2: '127.0.0.1' })
    // As root, nginx's workers run as nobody and reopen the logs themselves after a rotation
    // (in the image, nginx runs as one unprivileged user throughout).
    chmodSync(dir, 0o755)
    mkdirSync(join(dir, 'exporter'))
    const lbPort = await freePort()
    lbUrl = `http://127.0.0.1:${lbPort}`
    const unshare = process.getuid?.() === 0 ? ['unshare', '-m'] : ['unshare', '-r', '-m']
    nginx = spawn(
      unshare[0] as string,
      [...unshare.slice(1), 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec nginx-entrypoint.sh', hosts],
      {
        env: {
          PATH,
          NGINX_TEMPLATE: NGINX_TEMPLATE_PATH,
          NGINX_RUNTIME_DIR: dir,
          NGINX_ACCESS_LOG: join(dir, 'access.log'),
          NGINX_ERROR_LOG: join(dir, 'error.log'),
          NGINX_UPKEEP_INTERVAL_S: String(FOLLOW_INTERVAL_S),
          NGINX_FOLLOW_RETRY_S: String(FOLLOW_INTERVAL_S),
          NGINX_FOLLOW_RECHECK_S: String(FOLLOW_INTERVAL_S),
          NGINX_LOG_EXPORTER_FILE: exporterLog,
          NGINX_LOG_EXPORTER_MAX_BYTES: String(EXPORTER_LOG_MAX_BYTES),
          LB_LISTEN: `127.0.0.1:${lbPort}`,
          NGINX_STATUS_LISTEN: `127.0.0.1:${await freePort()}`,
          WRITER_UPSTREAM: `app_slow:${ports.writer}`,
          READER_1_UPSTREAM: `app_fast_1:${ports.reader1}`,
          READER_2_UPSTREAM: `app_fast_2:${ports.reader2}`,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    nginx.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const deadline = Date.now() + 10_000
    while (
      !(await fetch(`${lbUrl}/lb-health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      assert.ok(nginx.exitCode === null, `the entrypoint exited with ${nginx.exitCode}:\n${stderr}`)
      assert.ok(Date.now() < deadline, `nginx did not answer within 10 s:\n${stderr}`)
      await sleep(50)
    }
  })

  after(async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      nginx.kill('SIGQUIT')
      await once(nginx, 'exit')
    }
    reader2?.kill('SIGKILL')
    for (const server of servers) server.closeAllConnections()
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
    rmSync(dir, { recursive: true, force: true })
  })

  test('says so, and renders the names as the addresses they resolve to', () => {
    assert.match(stderr, /has no upstream 'resolve'.*following each upstream by its connections/)
    const config = readFileSync(join(dir, 'nginx.conf'), 'utf8')
    assert.match(config, new RegExp(`server 127\\.0\\.0\\.1:${ports.reader1} weight=3`))
    assert.match(config, new RegExp(`server 127\\.0\\.0\\.1:${ports.writer} `))
    assert.doesNotMatch(config, /app_fast_1|app_slow/)
  })

  test('a name that stops resolving while its server still answers stays in (a DNS hiccup is no stop)', async () => {
    const reloads = reloadCount()
    setHosts({ app_slow: '127.0.0.1', app_fast_2: '127.0.0.1' })
    // Several of the follower's lookups (NGINX_FOLLOW_RECHECK_S) fail meanwhile.
    await sleep(FOLLOW_INTERVAL_S * 1000 * 8)
    assert.equal(reloadCount(), reloads, stderr)
    assert.deepEqual(await servedBy(8), { app_fast_1: 6, app_fast_2: 2 })
  })

  test('a server that stops leaves the upstream at once; traffic goes to the other', async () => {
    const stoppedAt = performance.now()
    const reader1 = servers.find((server) => serverName.get(server) === 'app_fast_1')
    assert.ok(reader1)
    reader1.close()
    // A stopping lifecycle service cuts its request-less sockets once it stops listening.
    reader1.closeAllConnections()
    await waitForReload(new RegExp(`127\\.0\\.0\\.1:${ports.reader1} down`))
    const reloadedMs = performance.now() - stoppedAt - RELOAD_SETTLE_MS
    assert.ok(reloadedMs < LEAVE_BOUND_MS, `reloaded ${Math.round(reloadedMs)} ms after the stop`)
    assert.deepEqual(await servedBy(8), { app_fast_2: 8 })
  })

  test('a server killed with SIGKILL leaves too; with no reader left nginx answers 502 at once', async () => {
    reader2.kill('SIGKILL')
    await waitForReload(new RegExp(`127\\.0\\.0\\.1:${ports.reader2} down`))
    const answer = await read(lbUrl)
    assert.equal(answer.status, 502)
    assert.equal(answer.servedBy, 'BAD_GATEWAY')
    // No server tried: nginx names the upstream itself (the lab's T5 reads it so).
    assert.match(answer.message ?? '', /\(tried: readers\)$/)
    // A connect to a vanished address would take proxy_connect_timeout (1 s).
    assert.ok(answer.elapsedMs < 900, `502 took ${Math.round(answer.elapsedMs)} ms`)
  })

  test('servers back (one at a new address, one restarted) get traffic again, 3:1, once ready', async () => {
    setHosts({ app_slow: '127.0.0.1', app_fast_1: '127.0.0.2', app_fast_2: '127.0.0.1' })
    const startedAt = performance.now()
    reader2 = await startChildServer('app_fast_2', ports.reader2, NOT_READY_MS)
    await waitForReload(new RegExp(`127\\.0\\.0\\.2:${ports.reader1},127\\.0\\.0\\.1:${ports.reader2},`))
    // It listened at once but answered /health/ready 503 for NOT_READY_MS: not put back before.
    const backMs = performance.now() - startedAt
    assert.ok(
      backMs >= NOT_READY_MS,
      `app_fast_2 back ${Math.round(backMs)} ms after its start, before it was ready`,
    )
    assert.match(stderr, /app_fast_2 at 127\.0\.0\.1 answers \/health\/ready 200/)
    assert.deepEqual(await servedBy(8), { 'app_fast_1 (new address)': 6, app_fast_2: 2 })
  })

  test('an unchanged upstream causes no reload', async () => {
    const reloads = reloadCount()
    await sleep(FOLLOW_INTERVAL_S * 1000 * 5)
    assert.equal(reloadCount(), reloads)
  })

  test("the exporter's access-log copy gets the access lines, and is rotated past its size", async () => {
    const idsIn = (file: string) =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line.length > 0)
            .map((line) => (JSON.parse(line) as { request_id: string }).request_id)
        : []
    /** Polls until `done()`; a rotation (rename, then nginx reopens its logs) takes a moment. */
    async function eventually(what: string, done: () => boolean): Promise<void> {
      const deadline = Date.now() + ROTATION_BOUND_MS
      while (!done()) {
        assert.ok(Date.now() < deadline, `${what} within ${ROTATION_BOUND_MS} ms`)
        await sleep(50)
      }
    }
    let sent = 0
    /** A read with its own request id, which nginx logs (lab_json's request_id). */
    const tracedRead = async () => {
      const id = `upkeep-test-${++sent}`
      const response = await fetch(`${lbUrl}/read`, {
        headers: { 'x-request-id': id },
        signal: AbortSignal.timeout(10_000),
      })
      await response.arrayBuffer()
      assert.equal(response.status, 200)
      return id
    }
    // A request is in the copy, in lab_json: in the current file, or in the one a rotation
    // (which may happen at any time here, the threshold is small) has just renamed.
    const first = await tracedRead()
    await eventually('the request in the copy', () =>
      [...idsIn(exporterLog), ...idsIn(`${exporterLog}.1`)].includes(first),
    )
    const inodeBefore = statSync(exporterLog).ino
    for (let i = 0; i < 30; i++) await tracedRead()
    await eventually('a rotation', () => existsSync(exporterLog) && statSync(exporterLog).ino !== inodeBefore)
    assert.ok(statSync(`${exporterLog}.1`).size > EXPORTER_LOG_MAX_BYTES, 'the old copy is kept as .1')
    // nginx reopened its logs: from some request on, every request lands in the new file.
    const deadline = Date.now() + ROTATION_BOUND_MS
    for (;;) {
      const probe = await tracedRead()
      await sleep(100)
      if (idsIn(exporterLog).includes(probe)) break
      assert.ok(Date.now() < deadline, `no request in the new copy within ${ROTATION_BOUND_MS} ms`)
    }
    const next = [await tracedRead(), await tracedRead(), await tracedRead()]
    await eventually('3 more requests in the new copy', () =>
      next.every((id) => idsIn(exporterLog).includes(id)),
    )
  })
})
