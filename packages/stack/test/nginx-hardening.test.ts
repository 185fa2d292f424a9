/**
 * The load balancer's hardening against real nginx in front of stand-in upstreams (ports
 * 17251-17255): every error nginx itself produces is the project's JSON body with a code;
 * a hostile X-Request-Id never breaks it and is replaced by one id both sides log; smuggling
 * shapes, oversized heads and encoded or dot-segment spellings of internal paths are refused
 * with zero requests reaching a service (the upstreams' own record of what reached them);
 * a client trickling its head is cut off within client_header_timeout.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { type NginxVars, nativeNginxVars } from '../src/index.js'
import { slowClient } from '../src/slow-client.js'
import {
  type RawAnswer,
  type RunningNginx,
  rawRequest,
  startNginx,
  tempDir,
  Upstream,
} from './nginx-runner.js'

const LB_PORT = 17254
/** seconds: the template's client_header_timeout */
const CLIENT_HEADER_TIMEOUT_S = 10

const reader1 = new Upstream('FAST_REPLICA_1', 17251)
const reader2 = new Upstream('FAST_REPLICA_2', 17252)
const writer = new Upstream('SLOW_PRIMARY', 17253)
const upstreams = [reader1, reader2, writer]
let nginx: RunningNginx | undefined
let vars: NginxVars

before(async () => {
  await Promise.all(upstreams.map((upstream) => upstream.listen()))
})
after(async () => {
  await Promise.all(upstreams.map((upstream) => upstream.close()))
})

async function start(transform?: (config: string) => string): Promise<RunningNginx> {
  for (const upstream of upstreams) upstream.hits.length = 0
  vars = {
    ...nativeNginxVars(tempDir(), 0),
    LB_LISTEN: `127.0.0.1:${LB_PORT}`,
    NGINX_STATUS_LISTEN: '127.0.0.1:17255',
    READER_1_UPSTREAM: reader1.address,
    READER_2_UPSTREAM: reader2.address,
    WRITER_UPSTREAM: writer.address,
  }
  nginx = await startNginx(vars, transform)
  return nginx
}

const hits = () => upstreams.reduce((sum, upstream) => sum + upstream.hits.length, 0)

/** The answer's JSON error body (fails the test when it is not JSON with a code). */
function errorBody(answer: RawAnswer, what: string): { error: string; requestId: string } {
  let body: { error?: unknown; requestId?: unknown }
  try {
    body = JSON.parse(answer.body)
  } catch {
    assert.fail(`${what}: not a JSON body: ${answer.status} ${JSON.stringify(answer.body.slice(0, 200))}`)
  }
  assert.equal(typeof body.error, 'string', `${what}: ${answer.body}`)
  assert.match(String(body.requestId), /^[A-Za-z0-9_.:-]{1,128}$/, `${what}: ${answer.body}`)
  return body as { error: string; requestId: string }
}

const get = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`

describe('refused before any service: one case each, zero upstream requests', () => {
  before(async () => {
    await start()
  })
  after(async () => {
    await nginx?.stop()
  })
  // Each case counts only its own upstream requests.
  beforeEach(() => {
    for (const upstream of upstreams) upstream.hits.length = 0
  })

  const internalSpellings = [
    '/read/../admin/faults',
    '/read/%2e%2e/admin/faults',
    '/read/%2E%2E/metrics',
    '/admin%2Ffaults',
    '/admin/..%2Fread',
    '/read%2F..%2Fmetrics',
    '/writes/..%2Fmetrics',
    '/writes/%2e%2e',
    '/read;/../metrics',
    '/read;jsessionid=1',
    '//admin/faults',
    '//metrics',
    '//read',
    '/METRICS',
    '/Admin/faults',
    '/READ',
    '/metrics/',
    '/./metrics',
  ]
  for (const path of internalSpellings) {
    test(`GET ${path}: 404 JSON`, async () => {
      const answer = await rawRequest(LB_PORT, get(path))
      assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`)
      errorBody(answer, path)
      assert.equal(hits(), 0, `${path} reached a service`)
    })
  }

  const smuggling: Array<[string, string]> = [
    [
      'Content-Length with Transfer-Encoding',
      'POST /write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    ],
    [
      'two Content-Lengths',
      'POST /write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    ],
    ['an oversized header line', get('/read', `X-Big: ${'b'.repeat(9 * 1024)}\r\n`)],
    ['an oversized head', get('/read', `${'X-Many: '.concat('m'.repeat(7000), '\r\n').repeat(6)}`)],
  ]
  for (const [name, text] of smuggling) {
    test(`${name}: a JSON 4xx and nothing proxied`, async () => {
      const answer = await rawRequest(LB_PORT, text)
      assert.ok(answer.status >= 400 && answer.status < 500, `${name}: ${answer.status}`)
      errorBody(answer, name)
      assert.equal(hits(), 0, `${name} reached a service`)
    })
  }

  test('a hostile X-Request-Id is replaced by a valid one, the same in the answer, upstream and the log', async () => {
    const hostile = 'x" , "injected": "1\\'
    const refused = await rawRequest(LB_PORT, get('/metrics', `X-Request-Id: ${hostile}\r\n`))
    assert.equal(refused.status, 404)
    const refusedId = errorBody(refused, 'refused with a hostile id').requestId
    assert.notEqual(refusedId, hostile)
    const proxied = await rawRequest(LB_PORT, get('/read', `X-Request-Id: ${hostile}\r\n`))
    assert.equal(proxied.status, 200)
    const answeredId = /\r\nx-request-id: ([^\r]*)/i.exec(`\r\n${proxied.headers}`)?.[1]
    const upstreamId = [reader1, reader2].flatMap((reader) => reader.hits).at(-1)?.requestId
    assert.ok(upstreamId !== undefined && /^[A-Za-z0-9_.:-]{1,128}$/.test(upstreamId), String(upstreamId))
    const logged = readFileSync(vars.NGINX_ACCESS_LOG, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { request_id: string; uri: string })
    assert.ok(
      logged.some((line) => line.uri === '/read' && line.request_id === upstreamId),
      'the access log has the id the upstream got',
    )
    if (answeredId !== undefined) assert.equal(answeredId, upstreamId)
    // A valid id is kept as is.
    await rawRequest(LB_PORT, get('/read', 'X-Request-Id: client-id-1\r\n'))
    assert.equal([reader1, reader2].flatMap((reader) => reader.hits).at(-1)?.requestId, 'client-id-1')
  })
})

describe("nginx's own errors", () => {
  afterEach(async () => {
    await nginx?.stop()
    nginx = undefined
  })

  test('over the per-client request rate: 429 JSON with Retry-After, not proxied', async () => {
    await start((config) =>
      config.replace(/rate=\d+r\/s/, 'rate=1r/m').replace(/burst=\d+ nodelay/, 'burst=1 nodelay'),
    )
    const answers: RawAnswer[] = []
    for (let i = 0; i < 4; i++) answers.push(await rawRequest(LB_PORT, get('/read')))
    const limited = answers.filter((answer) => answer.status === 429)
    assert.ok(limited.length >= 2, answers.map((answer) => answer.status).join(' '))
    for (const answer of limited) {
      assert.equal(errorBody(answer, '429').error, 'TOO_MANY_REQUESTS')
      assert.match(answer.headers, /\r\nRetry-After: 1/i)
    }
    assert.equal(hits(), answers.length - limited.length)
  })

  test('no server available: 502 JSON; a malformed request: 400 JSON', async () => {
    await start()
    await reader1.close()
    await reader2.close()
    try {
      const answer = await rawRequest(LB_PORT, get('/read'))
      assert.equal(answer.status, 502)
      assert.equal(errorBody(answer, '502').error, 'BAD_GATEWAY')
    } finally {
      await reader1.listen()
      await reader2.listen()
    }
    const malformed = await rawRequest(LB_PORT, 'GET /read HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n')
    assert.equal(malformed.status, 400)
    assert.equal(errorBody(malformed, '400').error, 'BAD_REQUEST')
  })

  test('one header byte per second is cut off within client_header_timeout', async () => {
    await start()
    const client = slowClient(LB_PORT, { path: '/read', maxBytes: CLIENT_HEADER_TIMEOUT_S + 8 })
    const closedAfterMs = await client.closedAfterMs
    assert.notEqual(closedAfterMs, null, 'never cut off')
    assert.ok(
      (closedAfterMs ?? 0) <= (CLIENT_HEADER_TIMEOUT_S + 2) * 1000,
      `cut off after ${closedAfterMs} ms, bound ${CLIENT_HEADER_TIMEOUT_S} s`,
    )
    assert.equal(hits(), 0)
  })
})
