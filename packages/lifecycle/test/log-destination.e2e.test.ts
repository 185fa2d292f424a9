/**
 * The log destination writes synchronously only where a write can never wait for a reader
 * (log-destination.ts). These pin both sides with real descriptors and a real child process:
 * a file and /dev/null take the synchronous path and keep every line through the shutdown;
 * a pipe nobody reads does not block the service (its liveness probe keeps answering) and
 * loses no line once it is read again.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { writesNeverWaitForReader } from '../src/log-destination.js'
import { type ServiceProcess, startService } from './support/service-process.js'

const FIXTURE = new URL('./fixtures/crashing-service.ts', import.meta.url).pathname
const MODULE = new URL('../src/log-destination.ts', import.meta.url).href
/** requests whose access lines (~230 bytes each) are several times what a socket buffer holds (~200 KiB) */
const REQUESTS = 3000
const CONCURRENCY = 20

describe('the log destination', () => {
  const running: ServiceProcess[] = []
  const dir = mkdtempSync(join(tmpdir(), 'log-destination-'))
  after(async () => {
    await Promise.all(running.map((service) => service.kill()))
    rmSync(dir, { recursive: true, force: true })
  })

  test('a file and /dev/null are written synchronously, a pipe is not', () => {
    for (const path of [join(dir, 'out.log'), '/dev/null']) {
      const fd = openSync(path, 'w')
      try {
        assert.equal(writesNeverWaitForReader(fd), true, path)
      } finally {
        closeSync(fd)
      }
    }
    // A child's stdout as the native supervisor gives it: a pipe (libuv's socketpair).
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(MODULE)}); process.stderr.write(String(m.writesNeverWaitForReader(1)))`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 },
    )
    assert.equal(child.stderr.trim(), 'false')
  })

  test('stdout a file: every access line, then the shutdown lines, are in it after the exit', async () => {
    const logFile = join(dir, 'service.log')
    const fd = openSync(logFile, 'w')
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_REQUESTS: 'true',
        GRACEFUL_SHUTDOWN_DELAY_S: '0',
      },
      stdio: ['ignore', fd, 'inherit'],
    })
    closeSync(fd)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      const lines = () =>
        readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { message: string; requestId?: string })
      let url: string | undefined
      for (let waitedMs = 0; !url && waitedMs < 30_000; waitedMs += 50) {
        url = lines()
          .map((line) => / ready on (http:\/\/\S+)$/.exec(line.message)?.[1])
          .find(Boolean)
        if (!url) await sleep(50)
      }
      assert.ok(url, 'the service announced its address in the file')
      for (let i = 0; i < 200; i++) {
        const response = await fetch(`${url}/health/live`, { headers: { 'x-request-id': `file-${i}` } })
        await response.body?.cancel()
      }
      child.kill('SIGTERM')
      await exited
      const written = lines()
      const ids = written.flatMap((line) => (line.requestId?.startsWith('file-') ? [line.requestId] : []))
      assert.deepEqual(
        ids,
        Array.from({ length: 200 }, (_, i) => `file-${i}`),
      )
      assert.equal(written.at(-1)?.message, 'Graceful shutdown complete. Exiting.')
    } finally {
      child.kill('SIGKILL')
    }
  })

  test('a pipe nobody reads: the service keeps answering /health/live, and no line is lost', async () => {
    const service = await startService(FIXTURE, { LOG_REQUESTS: 'true' }, { nodeArgs: ['--import', 'tsx'] })
    running.push(service)
    service.child.stdout?.pause()
    const answers: number[] = []
    let next = 0
    const client = async () => {
      while (next < REQUESTS) {
        const id = `unread-${next++}`
        const response = await fetch(`${service.url}/health/live`, {
          headers: { 'x-request-id': id },
          // A blocked event loop answers nothing: each request is bounded, generously for a busy machine.
          signal: AbortSignal.timeout(10_000),
        })
        await response.body?.cancel()
        answers.push(response.status)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, client))
    assert.equal(answers.filter((status) => status === 200).length, REQUESTS)

    service.child.stdout?.resume()
    const accessLines = () =>
      service.logs.filter(
        (line) => typeof line.requestId === 'string' && line.requestId.startsWith('unread-'),
      )
    for (let waitedMs = 0; accessLines().length < REQUESTS && waitedMs < 30_000; waitedMs += 50)
      await sleep(50)
    const ids = new Set(accessLines().map((line) => line.requestId))
    assert.equal(ids.size, REQUESTS, 'every access line arrives once the pipe is read again')
  })
})
