/**
 * LbMembership against a real stand-in reader and a stand-in nginx that logs each SIGHUP:
 * a SIGKILLed reader is rendered `down` and nginx reloaded at once; started again, it is put
 * back as soon as it answers its readiness probe.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { LbMembership, type MembershipChange } from '../src/lb-membership.js'
import { ManagedProcess, type ProcessSpec } from '../src/managed-process.js'
import { serviceSpec, tempDir } from './fixtures.js'

const READER_PORT = 17245

/** A stand-in for nginx: prints "reload" on SIGHUP; its prepare() writes the down set it renders. */
function nginxStandIn(dir: string, down: () => ReadonlySet<string>): ProcessSpec {
  return {
    name: 'nginx_lb',
    command: process.execPath,
    args: ['-e', "process.on('SIGHUP', () => console.log('reload')); setInterval(() => {}, 1000)"],
    env: {},
    url: null,
    readyPath: '/',
    probe: 'http-200',
    ports: [],
    stopSignal: 'SIGTERM',
    stopTimeoutS: 2,
    logFile: join(dir, 'nginx_lb.log'),
    prepare: () => writeFileSync(join(dir, 'rendered'), [...down()].join(',')),
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

test('a SIGKILLed reader goes down with a reload at once and comes back once ready', async () => {
  const dir = tempDir()
  const membership = new LbMembership(['app_fast_1'])
  const changes: MembershipChange[] = []
  const nginx = new ManagedProcess(nginxStandIn(dir, () => membership.down))
  let reader: ManagedProcess | undefined
  reader = new ManagedProcess(serviceSpec('app_fast_1', READER_PORT, {}, dir), {
    onEvent: (event) => membership.onEvent(event, reader),
  })
  await nginx.start()
  membership.attach(nginx, (change) => changes.push(change))
  try {
    await reader.start()
    await sleep(500)
    assert.equal(changes.length, 0, 'a reader that starts ready is no change')

    reader.kill('SIGKILL')
    await until('the reader to be marked down', () => membership.down.has('app_fast_1'))
    assert.equal(readFileSync(join(dir, 'rendered'), 'utf8'), 'app_fast_1', 'rendered down before the reload')
    await until('nginx to get SIGHUP', () => readFileSync(nginx.spec.logFile, 'utf8').includes('reload'))
    const out = changes[0]
    assert.ok(out && !out.member && out.why.includes('SIGKILL'), JSON.stringify(out))
    assert.ok(
      out.verdictToReloadMs !== null && out.verdictToReloadMs < 1000,
      'reload signalled within a second',
    )

    const restartedAt = Date.now()
    await reader.start()
    await until('the reader to be back', () => !membership.down.has('app_fast_1'))
    const back = changes[1]
    assert.ok(back?.member && back.why.includes('ready'), JSON.stringify(back))
    assert.ok(Date.now() - restartedAt < 5000)
    assert.equal(readFileSync(join(dir, 'rendered'), 'utf8'), '', 'rendered without down markers')
    assert.deepEqual(
      membership.snapshot().changes.map((c) => `${c.replica} ${c.direction} ${c.count}`),
      ['app_fast_1 out 1', 'app_fast_1 in 1'],
    )
  } finally {
    await reader.stop()
    await nginx.stop()
  }
})
