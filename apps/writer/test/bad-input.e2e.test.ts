/**
 * Bad input over real HTTP (and raw TCP for what an HTTP client refuses to send) to a
 * running writer process: every answer is a 4xx with the registry body
 * {error, message, requestId}, the process keeps serving, nothing is written twice.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { request } from 'undici'
import { freshDataDir } from './support/data-dir.js'
import { type ServiceProcess, startService, WRITER } from './support/writer-process.js'

const TOKEN = 'bad-input-admin-token'
const BODY_LIMIT_BYTES = 4096

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

/** Sends `text` as is on a fresh TCP connection and reads the answer until the server closes. */
function raw(port: number, text: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')))
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const answer = Buffer.concat(chunks).toString('latin1')
      const [head = '', body = ''] = answer.split('\r\n\r\n')
      const [statusLine = '', ...headerLines] = head.split('\r\n')
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      )
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body })
    })
  })
}

async function http(
  service: ServiceProcess,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const response = await request(`${service.url}${path}`, {
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers ?? {},
    body: options.body ?? null,
    reset: true,
  })
  return {
    status: response.statusCode,
    headers: response.headers as Record<string, string>,
    body: await response.body.text(),
  }
}

function assertClientError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body)
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/)
  const body = JSON.parse(answer.body) as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'requestId'])
  assert.equal(body.error, code)
  assert.equal(typeof body.message, 'string')
  assert.ok((body.message as string).length > 0)
  assert.match(body.requestId as string, /^[\w.:-]+$/)
}

const json = { 'content-type': 'application/json' }

describe('a running writer refuses bad input with 4xx JSON errors', () => {
  let service: ServiceProcess
  let succeeded = 0

  before(async () => {
    service = await startService(WRITER, {
      ADMIN_TOKEN: TOKEN,
      WRITER_DATA_DIR: freshDataDir(),
      WRITE_DELAY_MS: '5',
      BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
      LOG_REQUESTS: 'false',
    })
  })
  after(() => service.kill())

  const bodies: Array<[string, string, number, string]> = [
    ['malformed JSON', '{"item": 1,,}', 400, 'BAD_REQUEST'],
    ['truncated JSON', '{"item": "a", "more": [1, 2', 400, 'BAD_REQUEST'],
    ['an empty JSON body', '', 400, 'BAD_REQUEST'],
    ['a JSON array', '[1, 2, 3]', 400, 'VALIDATION_FAILED'],
    ['a JSON string', '"write me"', 400, 'VALIDATION_FAILED'],
    ['a JSON number', '42', 400, 'VALIDATION_FAILED'],
    ['JSON null', 'null', 400, 'VALIDATION_FAILED'],
    [
      'too many fields',
      JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, i]))),
      400,
      'VALIDATION_FAILED',
    ],
    ['a __proto__ key', '{"__proto__": {"admin": true}}', 400, 'BAD_REQUEST'],
    [
      'a body over the limit',
      JSON.stringify({ blob: 'x'.repeat(BODY_LIMIT_BYTES) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ]
  for (const [what, body, status, code] of bodies) {
    test(`POST /write with ${what}: ${status} ${code}`, async () => {
      assertClientError(await http(service, '/write', { method: 'POST', headers: json, body }), status, code)
    })
  }

  test('GET /writes/:id: 404 NOT_FOUND for an unknown id, 400 for one that is not a write id', async () => {
    assertClientError(await http(service, '/writes/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND')
    assertClientError(await http(service, '/writes/not-an-id'), 400, 'VALIDATION_FAILED')
    const answer = await http(service, '/writes/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })
    assertClientError(answer, 405, 'METHOD_NOT_ALLOWED')
    assert.equal(answer.headers.allow, 'GET')
  })

  test('a huge body (1 MiB, chunked, no Content-Length) is cut at the limit: 413', async () => {
    const answer = await raw(
      service.port,
      Buffer.concat([
        Buffer.from(
          'POST /write HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        ),
        Buffer.from(`100000\r\n${'x'.repeat(0x100000)}\r\n0\r\n\r\n`),
      ]),
    )
    assertClientError(answer, 413, 'PAYLOAD_TOO_LARGE')
  })

  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    test(`a ${type} body: 415 UNSUPPORTED_MEDIA_TYPE`, async () => {
      const answer = await http(service, '/write', {
        method: 'POST',
        headers: { 'content-type': type },
        body: 'a=1',
      })
      assertClientError(answer, 415, 'UNSUPPORTED_MEDIA_TYPE')
    })
  }

  test('unknown routes: 404 NOT_FOUND; other methods on /write: 405 with Allow', async () => {
    assertClientError(await http(service, '/nothing/here?x=1'), 404, 'NOT_FOUND')
    assertClientError(await http(service, '/read'), 404, 'NOT_FOUND')
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await http(service, '/write', { method })
      assertClientError(answer, 405, 'METHOD_NOT_ALLOWED')
      assert.equal(answer.headers.allow, 'POST')
    }
  })

  const rawCases: Array<[string, string, number, string]> = [
    [
      'an invalid Content-Length',
      'POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
      400,
      'BAD_REQUEST',
    ],
    [
      'two different Content-Lengths',
      'POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      400,
      'BAD_REQUEST',
    ],
    [
      'Content-Length with Transfer-Encoding (smuggling)',
      'POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    [
      'a bare CR in a header value (injection)',
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\rSet-Cookie: b\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    [
      'a header name with a space',
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    ['an unknown method', 'FROB /write HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a garbage request line', 'HELLO\r\n\r\n', 400, 'BAD_REQUEST'],
    [
      'oversized headers (20 KiB)',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
  ]
  for (const [what, text, status, code] of rawCases) {
    test(`raw TCP, ${what}: ${status} ${code}`, async () => {
      const answer = await raw(service.port, text)
      assertClientError(answer, status, code)
      assert.equal(answer.headers.connection, 'close')
    })
  }

  const badKeys: Array<[string, string]> = [
    ['an empty key', 'Idempotency-Key: \r\n'],
    ['a key over 255 characters', `Idempotency-Key: ${'k'.repeat(256)}\r\n`],
    ['a key with a space', 'Idempotency-Key: two words\r\n'],
    ['a non-ASCII key', 'Idempotency-Key: cl\u00e9\r\n'],
    ['two keys', 'Idempotency-Key: a\r\nIdempotency-Key: b\r\n'],
  ]
  for (const [what, header] of badKeys) {
    test(`Idempotency-Key, ${what}: 400 BAD_REQUEST`, async () => {
      const answer = await raw(
        service.port,
        Buffer.from(
          `POST /write HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n${header}\r\n{}`,
          'latin1',
        ),
      )
      assertClientError(answer, 400, 'BAD_REQUEST')
    })
  }

  test('invalid fault values and a missing token: 4xx, faults unchanged', async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, ...json }
    for (const body of [
      '{"latencyMs": -5}',
      '{"errorRate": "half"}',
      '{"cpuMs": 99999999}',
      '{"nope": 1}',
      '{}',
      '{"latencyMs": ',
    ]) {
      const answer = await http(service, '/admin/faults', { method: 'PUT', headers: auth, body })
      assert.equal(answer.status, 400, `${body}: ${answer.body}`)
      assertClientError(answer, 400, JSON.parse(answer.body).error)
    }
    assertClientError(
      await http(service, '/admin/faults', { method: 'PUT', headers: json, body: '{"errorRate": 1}' }),
      401,
      'UNAUTHORIZED',
    )
    const active = await http(service, '/admin/faults', { headers: auth })
    assert.deepEqual(JSON.parse(active.body), {
      latencyMs: 0,
      errorRate: 0,
      cpuMs: 0,
      dependencyFailureRate: 0,
    })
  })

  test('afterwards the process still serves, and nothing was written twice', async () => {
    const key = { ...json, 'idempotency-key': 'after-the-storm' }
    const first = await http(service, '/write', { method: 'POST', headers: key, body: '{"item": 1}' })
    const replay = await http(service, '/write', { method: 'POST', headers: key, body: '{"item": 1}' })
    const plain = await http(service, '/write', { method: 'POST' })
    for (const answer of [first, replay, plain]) assert.equal(answer.status, 200, answer.body)
    succeeded += 2
    assert.equal(JSON.parse(replay.body).id, JSON.parse(first.body).id)
    assert.equal(replay.headers['idempotent-replayed'], 'true')
    assert.equal((await http(service, '/health')).status, 200)

    const metrics = (await http(service, '/metrics')).body
    const writes = /^writer_writes_total\{[^}]*\} (\d+)$/m.exec(metrics)
    assert.equal(Number(writes?.[1]), succeeded, 'only the accepted, non-replayed writes were written')
    assert.doesNotMatch(metrics, /status_code="5\d\d"/, 'no bad input got a 5xx')
    assert.equal(service.child.exitCode, null, 'still running')
  })
})
