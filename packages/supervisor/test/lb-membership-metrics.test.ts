/**
 * The membership log's two writers and its reader agree: lines from the native supervisor
 * (membershipLogLine) and from compose's follower (record_membership in
 * nginx-upstream-follower.sh) become the same metrics in mtail with prometheus/mtail's programs.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { MTAIL_PROGRAMS_DIR, REPO_ROOT } from '@production-lab/stack'
import { membershipLogLine } from '../src/lb-membership.js'
import { tempDir } from './fixtures.js'

const FOLLOWER = join(REPO_ROOT, 'infra', 'docker', 'nginx-upstream-follower.sh')
const run = promisify(execFile)

/** Runs the follower's record_membership alone, as its reloader does after a reload. */
async function followerLines(log: string, delayMs: number, before: string, now: string): Promise<void> {
  const source = readFileSync(FOLLOWER, 'utf8')
  const fn = /^record_membership\(\) \{[\s\S]*?^\}$/m.exec(source)?.[0]
  assert.ok(fn, 'record_membership is in the follower')
  const script = `KEYS=(reader_1 reader_2 writer)
declare -A NAME=([reader_1]=app_fast_1 [reader_2]=app_fast_2 [writer]=app_slow)
${fn}
record_membership "$@"`
  await run('bash', ['-c', script, 'follower', String(delayMs), before, now], {
    env: { ...process.env, NGINX_MEMBERSHIP_LOG: log },
  })
}

function sample(text: string, pattern: string): number {
  const line = text.split('\n').find((l) => l.startsWith(pattern))
  return line === undefined ? Number.NaN : Number(line.slice(pattern.length).trim())
}

test('native and compose membership lines become the same counters and delay histogram', async () => {
  const dir = tempDir()
  const log = join(dir, 'lb-membership.log')
  const at = Date.now()
  const native = [
    {
      replica: 'app_fast_1',
      member: false,
      reason: 'exited',
      why: 'x',
      verdictAtMs: at,
      verdictToReloadMs: 8,
    },
    { replica: 'app_fast_1', member: true, reason: 'ready', why: 'x', verdictAtMs: at, verdictToReloadMs: 0 },
    {
      replica: 'app_fast_2',
      member: false,
      reason: 'stopping',
      why: 'x',
      verdictAtMs: at,
      verdictToReloadMs: null,
    },
  ] as const
  writeFileSync(
    log,
    native
      .flatMap((change) => membershipLogLine(change) ?? [])
      .join('\n')
      .concat('\n'),
  )
  await followerLines(
    log,
    74,
    '10.0.0.2:8000,10.0.0.3:8000,10.0.0.4:8000,',
    '10.0.0.2:8000,127.0.0.1:8000 down,10.0.0.4:8000,',
  )

  const { stdout } = await run('mtail', [
    '--one_shot',
    '--one_shot_format=prometheus',
    `--progs=${MTAIL_PROGRAMS_DIR}`,
    `--logs=${log}`,
    '--emit_prog_label=false',
    '--port=0',
  ])
  const changes = 'nginx_upstream_membership_changes_total'
  assert.equal(sample(stdout, `${changes}{direction="out",reason="exited",upstream="app_fast_1"}`), 1)
  assert.equal(sample(stdout, `${changes}{direction="in",reason="ready",upstream="app_fast_1"}`), 1)
  assert.equal(sample(stdout, `${changes}{direction="out",reason="unreachable",upstream="app_fast_2"}`), 1)
  assert.ok(!stdout.includes('reason="stopping"'), 'a change nginx did not act on (not running) is no line')
  assert.equal(sample(stdout, 'nginx_upstream_member{upstream="app_fast_1"}'), 1)
  assert.equal(sample(stdout, 'nginx_upstream_member{upstream="app_fast_2"}'), 0)
  const delays = 'nginx_upstream_membership_reload_delay_seconds'
  assert.equal(sample(stdout, `${delays}_count`), 3)
  // 0 ms is recorded as 0.5 ms, inside the first bucket (mtail puts a 0 in no bucket).
  assert.equal(sample(stdout, `${delays}_bucket{le="0.001"}`), 1)
  assert.ok(Math.abs(sample(stdout, `${delays}_sum`) - 0.0825) < 1e-9)
})
