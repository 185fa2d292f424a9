/**
 * Bounded logs (issue 14): a real child process writes numbered lines through ManagedProcess's
 * pipe past the rotation size; the files stay within LAB_LOG_KEEP_FILES x LAB_LOG_MAX_BYTES, a
 * follower (`lab logs -f`) started before sees every line, also those written after a rotation,
 * and a tail (`lab logs`) continues into the rotated file.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { followLines, tailLines } from '../src/log-file.js'
import { logRotationFromEnv, RotatingLogWriter, rotatedFiles } from '../src/log-rotation.js'
import { ManagedProcess } from '../src/managed-process.js'
import { tempDir } from './fixtures.js'

/** bytes: Linux's pipe capacity, the most one read of a child's output returns: no file exceeds it */
const MAX_BYTES = 64 * 1024
const KEEP_FILES = 2
/** lines of about 100 bytes: about 5 files' worth, so the oldest rotate out */
const LINES = 3000

test('a child writing past the limit: bounded files, a follower sees every line across rotations, tail spans them', async () => {
  const dir = tempDir()
  const logFile = join(dir, 'logs', 'app_fast_1.log')
  // Writes LINES numbered lines in bursts (about 100 KB/s: a rotation every 0.65 s, so a file is
  // deleted about 2 s after it was written, long after the follower's next 200 ms poll), then
  // waits to be stopped.
  const script = `let n = 0
const pad = 'x'.repeat(90)
const burst = () => { for (let i = 0; i < 20 && n < ${LINES}; i++) process.stdout.write('line ' + String(++n).padStart(5, '0') + ' ' + pad + '\\n'); if (n < ${LINES}) setTimeout(burst, 20) }
burst()
setInterval(() => {}, 1000)`
  const child = new ManagedProcess({
    name: 'app_fast_1',
    command: process.execPath,
    args: ['-e', script],
    env: {},
    url: null,
    readyPath: '/',
    probe: 'http-200',
    ports: [],
    stopSignal: 'SIGKILL',
    stopTimeoutS: 1,
    logFile,
    logRotation: { maxBytes: MAX_BYTES, keepFiles: KEEP_FILES },
  })
  const seen: string[] = []
  const abort = new AbortController()
  const following = followLines(logFile, (line) => seen.push(line), abort.signal)
  try {
    await child.start()
    const deadline = Date.now() + 30_000
    while (seen.length < LINES && Date.now() < deadline) await sleep(100)
    abort.abort()
    await following
    assert.equal(
      seen.length,
      LINES,
      `the follower saw ${seen.length} of ${LINES} lines; last: ${seen.at(-1)}`,
    )
    for (const [index, line] of seen.entries())
      assert.ok(line.startsWith(`line ${String(index + 1).padStart(5, '0')} `), `line ${index + 1}: ${line}`)
    const files = readdirSync(dirname(logFile)).sort()
    assert.deepEqual(files, ['app_fast_1.log', ...rotatedFiles('app_fast_1.log', KEEP_FILES)])
    for (const file of files) {
      const size = statSync(join(dirname(logFile), file)).size
      assert.ok(size <= MAX_BYTES, `${file} has ${size} bytes, over ${MAX_BYTES}`)
    }
    // The current file holds fewer lines than asked: the tail continues into <file>.1, in order.
    const current = readFileSync(logFile, 'utf8').split('\n').length - 1
    const tail = await tailLines(logFile, current + 10)
    assert.equal(tail.length, current + 10)
    assert.ok(tail.at(-1)?.startsWith(`line ${String(LINES).padStart(5, '0')} `), tail.at(-1))
    for (const [index, line] of tail.entries())
      assert.ok(line.startsWith(`line ${String(LINES - tail.length + index + 1).padStart(5, '0')} `), line)
  } finally {
    abort.abort()
    await child.stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a writer never lets a file pass the limit; keep 0 keeps only the current file', () => {
  const dir = tempDir()
  try {
    const path = join(dir, 'one.log')
    const writer = new RotatingLogWriter(path, { maxBytes: 1024, keepFiles: 0 })
    for (let i = 0; i < 100; i++) writer.write(`${'y'.repeat(99)}\n`)
    writer.close()
    writer.write('dropped after close\n')
    assert.deepEqual(readdirSync(dir), ['one.log'])
    assert.equal(statSync(path).size, 1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('LAB_LOG_MAX_BYTES / LAB_LOG_KEEP_FILES override the defaults; a bad value is named', () => {
  assert.deepEqual(logRotationFromEnv({ LAB_LOG_MAX_BYTES: '2048', LAB_LOG_KEEP_FILES: '0' }), {
    maxBytes: 2048,
    keepFiles: 0,
  })
  assert.throws(
    () => logRotationFromEnv({ LAB_LOG_MAX_BYTES: '10MB' }),
    /LAB_LOG_MAX_BYTES="10MB" is invalid/,
  )
})
