/**
 * The access-log metrics end to end with the real pieces: nginx rendered from the real
 * template in front of small HTTP upstreams, its JSON access log read by mtail with the
 * real program. Fails when the log format and the mtail program drift apart.
 * Ports 17510-17514.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import {
  MTAIL_PROGRAM_PATH,
  parseSamples,
  renderNginxConfig,
  type Sample,
  sumOf,
} from '@production-lab/stack'

const PORTS = { lb: 17510, reader1: 17511, reader2: 17512, writer: 17513, status: 17514 }
const dir = mkdtempSync(join(tmpdir(), 'lab-nginx-access-'))
const accessLog = join(dir, 'access.log')
const upstreams: Server[] = []
let nginx: ChildProcess | undefined
let samples: Sample[] = []

/** An upstream that answers 200, or 503 (as a draining replica does) when asked with ?drain=1. */
function upstream(port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const status = request.url?.includes('drain=1') ? 503 : 200
    response.writeHead(status, { 'content-type': 'application/json' }).end(`{"port":${port}}`)
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

async function waitForLb(): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORTS.lb}/lb-health`)).ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`nginx did not answer on 127.0.0.1:${PORTS.lb} within 10 s`)
}

before(async () => {
  upstreams.push(await upstream(PORTS.reader1), await upstream(PORTS.reader2), await upstream(PORTS.writer))
  const runtimeDir = join(dir, 'nginx')
  mkdirSync(runtimeDir)
  const config = join(runtimeDir, 'nginx.conf')
  writeFileSync(
    config,
    renderNginxConfig({
      LB_LISTEN: `127.0.0.1:${PORTS.lb}`,
      NGINX_STATUS_LISTEN: `127.0.0.1:${PORTS.status}`,
      WRITER_UPSTREAM: `127.0.0.1:${PORTS.writer}`,
      READER_1_UPSTREAM: `127.0.0.1:${PORTS.reader1}`,
      READER_2_UPSTREAM: `127.0.0.1:${PORTS.reader2}`,
      NGINX_RUNTIME_DIR: runtimeDir,
      NGINX_ACCESS_LOG: accessLog,
      NGINX_ERROR_LOG: join(runtimeDir, 'error.log'),
      NGINX_RESOLVER: '',
      UPSTREAM_SERVER_FLAGS: '',
      NGINX_LOG_EXPORTER_ACCESS_LOG: '',
    }),
  )
  nginx = spawn(
    'nginx',
    ['-p', `${runtimeDir}/`, '-c', config, '-e', join(runtimeDir, 'error.log'), '-g', 'daemon off;'],
    {
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
      stdio: 'ignore',
    },
  )
  await waitForLb()
  const lb = `http://127.0.0.1:${PORTS.lb}`
  for (let i = 0; i < 8; i++) assert.equal((await fetch(`${lb}/read`)).status, 200)
  // Both readers answer 503: nginx tries the second after the first, then gives up.
  assert.equal((await fetch(`${lb}/read?drain=1`)).status, 503)
  for (let i = 0; i < 2; i++) assert.equal((await fetch(`${lb}/write`, { method: 'POST' })).status, 200)
  assert.equal((await fetch(`${lb}/metrics`)).status, 404)

  const { stdout } = await promisify(execFile)('mtail', [
    '--one_shot',
    '--one_shot_format=prometheus',
    `--progs=${MTAIL_PROGRAM_PATH}`,
    `--logs=${accessLog}`,
    '--emit_prog_label=false',
    '--port=0',
  ])
  samples = parseSamples(stdout)
})

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx?.once('exit', resolve))
    nginx.kill('SIGQUIT')
    await exited
  }
  for (const server of upstreams) server.close()
  rmSync(dir, { recursive: true, force: true })
})

test('requests are counted per route and client status; other paths share route="other"', () => {
  assert.equal(
    sumOf(samples, 'nginx_access_requests_total', { method: 'GET', route: '/read', status: '200' }),
    8,
  )
  assert.equal(
    sumOf(samples, 'nginx_access_requests_total', { method: 'GET', route: '/read', status: '503' }),
    1,
  )
  assert.equal(
    sumOf(samples, 'nginx_access_requests_total', { method: 'POST', route: '/write', status: '200' }),
    2,
  )
  assert.equal(
    sumOf(samples, 'nginx_access_requests_total', { method: 'GET', route: 'other', status: '404' }),
    1,
  )
})

test('upstream answers are counted per upstream server, with the 3:1 weights visible', () => {
  const reader1 = sumOf(samples, 'nginx_upstream_responses_total', {
    route: '/read',
    upstream: `127.0.0.1:${PORTS.reader1}`,
  })
  const reader2 = sumOf(samples, 'nginx_upstream_responses_total', {
    route: '/read',
    upstream: `127.0.0.1:${PORTS.reader2}`,
  })
  assert.equal(reader1 + reader2, 9)
  assert.ok(reader1 > reader2, `reader 1 (weight 3) answered ${reader1}, reader 2 (weight 1) ${reader2}`)
  assert.equal(
    sumOf(samples, 'nginx_upstream_responses_total', {
      route: '/write',
      upstream: `127.0.0.1:${PORTS.writer}`,
      upstream_status: '200',
    }),
    2,
  )
  assert.equal(
    sumOf(samples, 'nginx_upstream_responses_total', { route: 'other' }),
    0,
    'a 404 from nginx involved no upstream',
  )
})

test('a request tried on two servers counts as one retry', () => {
  assert.equal(sumOf(samples, 'nginx_upstream_retries_total', { route: '/read' }), 1)
})

test('latency histograms use the apps buckets and count every request in a bucket', () => {
  assert.equal(sumOf(samples, 'nginx_access_request_duration_seconds_count', { route: '/read' }), 9)
  assert.ok(
    samples.some(
      (sample) =>
        sample.name === 'nginx_access_request_duration_seconds_bucket' && sample.labels.le === '0.025',
    ),
  )
  assert.equal(sumOf(samples, 'nginx_upstream_response_duration_seconds_count', { route: '/write' }), 2)
  // histogram_quantile reads the +Inf bucket as the total: it must equal _count, also for
  // requests nginx timed as 0.000 (the 404 above usually is).
  for (const count of samples.filter((sample) => sample.name.endsWith('_duration_seconds_count'))) {
    const family = count.name.replace(/_count$/, '_bucket')
    const inf = sumOf(samples, family, { ...count.labels, le: '+Inf' })
    assert.equal(
      inf,
      count.value,
      `${family}{${JSON.stringify(count.labels)}} +Inf bucket ${inf} != count ${count.value}`,
    )
  }
})
