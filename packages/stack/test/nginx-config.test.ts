/**
 * The template against real nginx: `nginx -t` on both renderings, then a live nginx in front
 * of stand-in upstreams (ports 17201-17211) for the behaviour the lab relies on.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import {
  composeNginxVars,
  NGINX_TEMPLATE_PATH,
  type NginxVars,
  nativeNginxVars,
  renderNginxConfig,
} from '../src/index.js'
import { READERS, WRITER } from '../src/topology.js'
import { nginxTest, type RunningNginx, startNginx, tempDir, Upstream } from './nginx-runner.js'

describe('renderings', () => {
  test('the native rendering passes nginx -t', async () => {
    const dir = tempDir()
    const output = await nginxTest(renderNginxConfig(nativeNginxVars(dir, 0)), dir)
    assert.match(output, /test is successful/)
  })

  test('the compose rendering passes nginx -t with the compose service names resolvable', async () => {
    // Service names resolve only on the compose network. nginx resolves them through
    // /etc/hosts at -t time, so run it in a private mount namespace whose /etc/hosts maps
    // them to 127.0.0.1: the real rendering is checked, the machine's files are untouched.
    const dir = tempDir()
    const hosts = join(dir, 'hosts')
    const names = [WRITER, ...READERS].map((service) => service.name)
    writeFileSync(hosts, `127.0.0.1 localhost ${names.join(' ')}\n`)
    const unshare = process.getuid?.() === 0 ? ['unshare', '-m'] : ['unshare', '-r', '-m']
    const wrap = [...unshare, 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hosts]
    // Logs to files: a test's child stdio is a socket pair, which /dev/stdout cannot reopen
    // (ENXIO); in a container they are pipes. The exporter's copy goes to the temp dir too
    // (in compose, a volume). Everything else is the compose rendering.
    const vars = {
      ...composeNginxVars({ reResolve: false }),
      NGINX_RUNTIME_DIR: dir,
      NGINX_ACCESS_LOG: join(dir, 'access.log'),
      NGINX_ERROR_LOG: join(dir, 'error.log'),
      NGINX_LOG_EXPORTER_ACCESS_LOG: `access_log ${join(dir, 'exporter-access.log')} lab_json;`,
    }
    const output = await nginxTest(renderNginxConfig(vars), dir, wrap)
    assert.match(output, /test is successful/)
  })

  test('compose with re-resolution adds the resolver and the resolve flag on every server', () => {
    const directives = (config: string) => config.split('\n').filter((line) => !line.trim().startsWith('#'))
    const resolving = directives(renderNginxConfig(composeNginxVars({ reResolve: true })))
    assert.equal(
      resolving.filter((line) => line.trim() === 'resolver 127.0.0.11 valid=1s ipv6=off;').length,
      1,
    )
    assert.equal(resolving.filter((line) => /^\s*server \S+:8000 .* resolve;$/.test(line)).length, 3)
    const fixed = directives(renderNginxConfig(composeNginxVars({ reResolve: false })))
    assert.deepEqual(
      fixed.filter((line) => /\bresolver?\b/.test(line)),
      [],
    )
  })

  test('the template weights are the topology weights, in the same order', () => {
    const template = readFileSync(NGINX_TEMPLATE_PATH, 'utf8')
    const weights = [...template.matchAll(/server \$\{READER_(\d)_UPSTREAM\} weight=(\d+)/g)].map((m) =>
      Number(m[2]),
    )
    assert.deepEqual(
      weights,
      READERS.map((reader) => reader.weight),
    )
  })

  test('a missing variable is an error, not an empty directive', () => {
    const { LB_LISTEN: _dropped, ...incomplete } = nativeNginxVars('/tmp', 0)
    assert.throws(() => renderNginxConfig(incomplete as NginxVars), /missing variable\(s\) LB_LISTEN/)
  })
})

describe('live nginx in front of stand-in upstreams', () => {
  const reader1 = new Upstream('FAST_REPLICA_1', 17201)
  const reader2 = new Upstream('FAST_REPLICA_2', 17202)
  const writer = new Upstream('SLOW_PRIMARY', 17203)
  const upstreams = [reader1, reader2, writer]
  let nginx: RunningNginx

  before(async () => {
    await Promise.all(upstreams.map((upstream) => upstream.listen()))
  })
  after(async () => {
    await Promise.all(upstreams.map((upstream) => upstream.close()))
  })
  // A fresh nginx per test: passive failure counts (max_fails) must not leak between tests.
  beforeEach(async () => {
    for (const upstream of upstreams) {
      upstream.mode = 'ok'
      upstream.hits.length = 0
      if (!upstream.listening) await upstream.listen()
    }
    const dir = tempDir()
    nginx = await startNginx({
      ...nativeNginxVars(dir, 0),
      LB_LISTEN: '127.0.0.1:17210',
      NGINX_STATUS_LISTEN: '127.0.0.1:17211',
      READER_1_UPSTREAM: reader1.address,
      READER_2_UPSTREAM: reader2.address,
      WRITER_UPSTREAM: writer.address,
    })
  })
  afterEach(() => nginx.stop())

  async function read(path = '/read', init?: RequestInit) {
    const started = performance.now()
    const response = await fetch(`${nginx.url}${path}`, init)
    const text = await response.text()
    return { status: response.status, text, ms: performance.now() - started, headers: response.headers }
  }

  test('20 reads split exactly 15 / 5 (weights 3:1 with a shared zone)', async () => {
    const counts = new Map<string, number>()
    for (let i = 0; i < 20; i++) {
      const { status, text } = await read()
      assert.equal(status, 200)
      const { service } = JSON.parse(text) as { service: string }
      counts.set(service, (counts.get(service) ?? 0) + 1)
    }
    assert.deepEqual(Object.fromEntries(counts), { FAST_REPLICA_1: 15, FAST_REPLICA_2: 5 })
  })

  test('both readers slower than 5 s: a JSON 504 after about 5 s, not 10 (two tries of 2.5 s, no third)', async () => {
    reader1.mode = 'slow'
    reader2.mode = 'slow'
    const { status, text, ms } = await read()
    assert.equal(status, 504)
    assert.equal(JSON.parse(text).error, 'GATEWAY_TIMEOUT')
    assert.ok(ms > 4500 && ms < 8000, `answered after ${Math.round(ms)} ms, expected about 5000`)
    assert.deepEqual([reader1.hits.length, reader2.hits.length], [1, 1], 'each reader tried once')
  })

  test('one reader hung (answers nothing): the read is answered by the other after 2.5 s, not failed', async () => {
    reader1.mode = 'slow'
    // Of any two picks at weights 3:1, one is reader 1.
    const answers = [await read(), await read()]
    for (const { status, text } of answers) {
      assert.equal(status, 200)
      assert.equal(JSON.parse(text).service, 'FAST_REPLICA_2')
    }
    assert.ok(reader1.hits.length >= 1, 'the hung reader was tried')
    const slowest = Math.max(...answers.map((a) => a.ms))
    assert.ok(
      slowest > 2000 && slowest < 4500,
      `slowest answer after ${Math.round(slowest)} ms, expected about 2500`,
    )
  })

  test('both readers down: a JSON 502 at once, after nginx tried both', async () => {
    await reader1.close()
    await reader2.close()
    const { status, text, ms } = await read()
    assert.equal(status, 502)
    const body = JSON.parse(text) as { error: string; message: string }
    assert.equal(body.error, 'BAD_GATEWAY')
    assert.match(
      body.message,
      new RegExp(`${reader1.address}.*${reader2.address}|${reader2.address}.*${reader1.address}`),
    )
    assert.ok(ms < 2000, `answered after ${Math.round(ms)} ms`)
  })

  test('one reader down: every read still succeeds from the other', async () => {
    await reader1.close()
    for (let i = 0; i < 10; i++) {
      const { status, text } = await read()
      assert.equal(status, 200)
      assert.equal(JSON.parse(text).service, 'FAST_REPLICA_2')
    }
  })

  test('a draining reader (503) or a reset connection is retried on the other reader for GET', async () => {
    reader1.mode = 'unavailable'
    for (let i = 0; i < 4; i++) assert.equal((await read()).status, 200)
    reader1.mode = 'reset'
    for (let i = 0; i < 4; i++) assert.equal((await read()).status, 200)
    assert.ok(reader1.hits.length >= 2, 'reader 1 was tried')
  })

  test('a POST that reached an upstream is never replayed on another', async () => {
    reader1.mode = 'reset'
    reader2.mode = 'reset'
    const { status } = await read('/read', { method: 'POST', body: '{}' })
    assert.equal(status, 502)
    assert.equal(reader1.hits.length + reader2.hits.length, 1, 'exactly one upstream saw the POST')
  })

  test('POST /write reaches the writer with the request id; GET /write too (the guide probes it)', async () => {
    const post = await read('/write', { method: 'POST', headers: { 'x-request-id': 'lab-test-1' } })
    assert.equal(post.status, 200)
    assert.equal(JSON.parse(post.text).service, 'SLOW_PRIMARY')
    assert.equal((await read('/write')).status, 200)
    assert.deepEqual(
      writer.hits.map((hit) => hit.method),
      ['POST', 'GET'],
    )
    assert.equal(writer.hits[0]?.requestId, 'lab-test-1', "the client's X-Request-Id is passed on")
    assert.match(writer.hits[1]?.requestId ?? '', /^[0-9a-f]{32}$/, "else nginx's own $request_id")
  })

  test('every proxied request says when nginx sent it on (X-Request-Start, for the admission bound)', async () => {
    const before = Date.now()
    assert.equal((await read('/write', { method: 'POST' })).status, 200)
    const stamp = writer.hits[0]?.requestStart ?? ''
    assert.match(stamp, /^t=\d{10}\.\d{3}$/, `X-Request-Start as nginx's $msec: ${JSON.stringify(stamp)}`)
    const sentMs = Number(stamp.slice(2)) * 1000
    // nginx caches its clock per event-loop turn: allow a second either side.
    assert.ok(Math.abs(sentMs - before) < 1000, `sent at ${sentMs}, request began at ${before}`)
  })

  test('GET /writes/<id> reaches the writer alone, once: its 503 or a reset is the answer, never retried', async () => {
    const found = await read('/writes/0f8e5c1a-0000-4000-8000-000000000001')
    assert.equal(found.status, 200)
    assert.equal(JSON.parse(found.text).service, 'SLOW_PRIMARY')
    writer.mode = 'unavailable'
    assert.equal((await read('/writes/0f8e5c1a-0000-4000-8000-000000000002')).status, 503)
    writer.mode = 'reset'
    const reset = await read('/writes/0f8e5c1a-0000-4000-8000-000000000003')
    assert.equal(reset.status, 502)
    assert.equal(JSON.parse(reset.text).error, 'BAD_GATEWAY')
    assert.deepEqual(
      writer.hits.map((hit) => hit.url),
      [1, 2, 3].map((n) => `/writes/0f8e5c1a-0000-4000-8000-00000000000${n}`),
      'each read was sent to the writer exactly once',
    )
    assert.equal(reader1.hits.length + reader2.hits.length, 0, 'never to a reader')
  })

  test('internal paths answer 404 JSON on the public port and never reach a service', async () => {
    for (const path of [
      '/metrics',
      '/admin/faults',
      '/health',
      '/health/ready',
      '/stub_status',
      '/',
      '/read/x',
      '/writes',
      '/writes/',
    ]) {
      const { status, text } = await read(path)
      assert.equal(status, 404, path)
      assert.equal(JSON.parse(text).error, 'NOT_FOUND', path)
    }
    assert.equal(reader1.hits.length + reader2.hits.length + writer.hits.length, 0)
  })

  test('the load balancer answers its own health and stub_status only on the internal listener', async () => {
    assert.deepEqual(JSON.parse((await read('/lb-health')).text), { status: 'ok', service: 'nginx_lb' })
    const status = await fetch(`${nginx.statusUrl}/stub_status`)
    assert.equal(status.status, 200)
    assert.match(await status.text(), /Active connections: \d+/)
  })

  test('bodies over 64 KiB are refused with a JSON 413 before reaching the writer', async () => {
    const { status, text } = await read('/write', { method: 'POST', body: 'x'.repeat(70 * 1024) })
    assert.equal(status, 413)
    assert.equal(JSON.parse(text).error, 'PAYLOAD_TOO_LARGE')
    assert.equal(writer.hits.length, 0)
  })
})
