/**
 * The control API's lock (control-guard.ts, env-overrides.ts), with raw HTTP requests as an
 * attacker would send them: no or a wrong token (401), a rebinding page's Host or a web page's
 * Origin (403) even with the right token, environment keys outside the service's config
 * schema (400 naming the key), and no answer ever carrying a token or the environment.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { readTokenFile, writeTokenFile } from '@production-lab/control'
import { ManagedProcess } from '../src/managed-process.js'
import { Supervisor } from '../src/supervisor.js'
import { controlApiFixture, serviceSpec, TEST_CONTROL_TOKEN, tempDir } from './fixtures.js'

const CONTROL_PORT = 17243
const SERVICE_PORT = 17235
const ADMIN_TOKEN = 'admin-token-never-shown-42'
const dir = tempDir()
const supervisor = new Supervisor([
  { process: new ManagedProcess(serviceSpec('app_fast_1', SERVICE_PORT, { ADMIN_TOKEN }, dir)), phase: 0 },
])
const target = controlApiFixture(supervisor, CONTROL_PORT, {
  loadBalancer: 'http://127.0.0.1:1',
  services: { app_fast_1: `http://127.0.0.1:${SERVICE_PORT}` },
  prometheus: null,
  adminToken: ADMIN_TOKEN,
})

interface Answer {
  status: number
  body: { error?: string; message?: string } & Record<string, unknown>
  text: string
}

/** One raw request to the control API, headers exactly as given (Host included). */
function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: CONTROL_PORT, method, path, headers, setHost: false },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {}, text }),
        )
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const HOST = `127.0.0.1:${CONTROL_PORT}`
const AUTH = `Bearer ${TEST_CONTROL_TOKEN}`

test('no token or a wrong one: 401 UNAUTHORIZED, and nothing is done', async () => {
  const attempts: Record<string, string>[] = [
    { host: HOST },
    { host: HOST, authorization: 'Bearer wrong-token' },
  ]
  for (const headers of attempts) {
    const answer = await call('POST', '/services/app_fast_1/kill?signal=SIGKILL', headers)
    assert.equal(answer.status, 401, answer.text)
    assert.equal(answer.body.error, 'UNAUTHORIZED')
  }
  assert.equal((await target.inspect('app_fast_1')).state, 'running')
})

test('a Host that is not loopback (DNS rebinding) or any Origin: 403, even with the token', async () => {
  const rebound = await call('GET', '/services', {
    host: `evil.example:${CONTROL_PORT}`,
    authorization: AUTH,
  })
  assert.equal(rebound.status, 403, rebound.text)
  assert.equal(rebound.body.error, 'FORBIDDEN_HOST')
  const crossSite = await call('POST', '/services/app_fast_1/stop', {
    host: HOST,
    origin: 'https://evil.example',
    authorization: AUTH,
  })
  assert.equal(crossSite.status, 403, crossSite.text)
  assert.equal(crossSite.body.error, 'FORBIDDEN_ORIGIN')
  assert.equal((await target.inspect('app_fast_1')).state, 'running')
  for (const host of [HOST, `localhost:${CONTROL_PORT}`, `[::1]:${CONTROL_PORT}`]) {
    assert.equal((await call('GET', '/services', { host, authorization: AUTH })).status, 200, host)
  }
})

test('env: only keys of the service config schema, validated by it; 400 naming the key', async () => {
  for (const key of ['NODE_OPTIONS', 'LD_PRELOAD', 'ADMIN_TOKEN']) {
    const answer = await call(
      'PUT',
      '/services/app_fast_1/env',
      { host: HOST, authorization: AUTH, 'content-type': 'application/json' },
      JSON.stringify({ [key]: '/tmp/evil.so' }),
    )
    assert.equal(answer.status, 400, answer.text)
    assert.equal(answer.body.error, 'ENV_KEY_NOT_ALLOWED')
    assert.match(answer.body.message ?? '', new RegExp(`^${key} is not a configuration key of app_fast_1`))
  }
  const invalid = await call(
    'PUT',
    '/services/app_fast_1/env',
    { host: HOST, authorization: AUTH, 'content-type': 'application/json' },
    JSON.stringify({ EXIT_AT_START: 'soon' }),
  )
  assert.equal(invalid.status, 400, invalid.text)
  assert.equal(invalid.body.error, 'ENV_INVALID')
  assert.match(invalid.body.message ?? '', /EXIT_AT_START="soon" is invalid/)
  assert.deepEqual((await target.inspect('app_fast_1')).env.EXIT_AT_START, undefined)
})

test('no answer carries the admin token, the control token or the environment', async () => {
  const texts = [
    (await call('GET', '/endpoints', { host: HOST, authorization: AUTH })).text,
    (await call('GET', '/services/app_fast_1', { host: HOST, authorization: AUTH })).text,
    (
      await call(
        'PUT',
        '/services/app_fast_1/env',
        { host: HOST, authorization: AUTH, 'content-type': 'application/json' },
        JSON.stringify({ GREETING: 'hello' }),
      )
    ).text,
    (await call('GET', '/services', { host: HOST })).text,
  ]
  for (const text of texts) {
    assert.ok(!text.includes(ADMIN_TOKEN), text)
    assert.ok(!text.includes(TEST_CONTROL_TOKEN), text)
    assert.ok(!text.includes(process.env.PATH ?? '/usr/bin'), text)
  }
  const shown = (await target.inspect('app_fast_1')).env
  assert.deepEqual(Object.keys(shown).sort(), ['GREETING', 'PORT'])
  await target.clearEnv('app_fast_1')
})

test('the token file is readable by the user only (0600)', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'lab-token-')), 'control-token')
  writeTokenFile(path, 'secret-value')
  assert.equal(statSync(path).mode & 0o777, 0o600)
  assert.equal(readTokenFile(path), 'secret-value')
  assert.equal(readFileSync(path, 'utf8'), 'secret-value\n')
})
