/**
 * `./pnpm test:quick`: the tests that need only Node (and npm, which comes with it): no apt,
 * no root, no nginx, Prometheus, mtail, podman, kubectl or Chromium, no stack. It builds
 * (turbo, cached), then runs every package's test files one package at a time, as
 * `./pnpm test` does, except the files listed in NEEDS_SYSTEM_TOOLS; a table of each
 * package's time and result ends the output. A new test is quick unless it is listed here
 * with the tool it needs.
 *   node scripts/test-quick.mjs [package-dir...]   e.g. apps/lab packages/lifecycle
 */
import { spawnSync } from 'node:child_process'
import { existsSync, globSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Test files (or whole package dirs) left out, with what they need besides Node. */
export const NEEDS_SYSTEM_TOOLS = {
  'apps/bench/test/nginx-tuning.test.ts': 'nginx',
  'apps/bench/test/targets.test.ts': 'nginx',
  'apps/lab/test/native-stack.test.ts': 'nginx (the native stack)',
  'infra/docker': 'docker-compose/podman-compose (apt, via scripts/system-deps.sh)',
  'infra/k8s/test/kustomize.test.ts': 'kubectl',
  'infra/k8s/test/podman-play.test.ts': 'podman',
  'infra/k8s/test/probes-and-shutdown.test.ts': 'nginx',
  'packages/control/test/compose.test.ts': 'podman',
  'packages/control/test/cgroup-limits.test.ts': 'root (a cgroup v1 group of its own)',
  'packages/load/test/report-html.test.ts': 'chromium',
  'packages/stack/test/nginx-config.test.ts': 'nginx',
  'packages/stack/test/nginx-hardening.test.ts': 'nginx',
  'packages/supervisor/test/lb-membership-metrics.test.ts': 'mtail',
  prometheus: 'promtool, mtail, nginx',
}

function workspaceDirs() {
  const patterns = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8')
    .split('\n')
    .map((line) => /^\s+-\s+['"]?([^'"#\s]+)/.exec(line)?.[1])
    .filter(Boolean)
  return patterns.flatMap((pattern) => globSync(pattern, { cwd: ROOT })).sort()
}

function quickFiles(dir) {
  if (NEEDS_SYSTEM_TOOLS[dir]) return []
  // consumer/: the lifecycle's consumer test (installs the packed package with npm), its own
  // step in the test command, part of test:quick.
  return globSync(['test/**/*.test.ts', 'consumer/**/*.test.ts'], { cwd: join(ROOT, dir) })
    .sort()
    .filter((file) => !NEEDS_SYSTEM_TOOLS[`${dir}/${file}`])
}

function run(command, args, cwd) {
  return spawnSync(command, args, { cwd, stdio: 'inherit' }).status ?? 1
}

const chosen = process.argv.slice(2).map((dir) => relative(ROOT, join(process.cwd(), dir)))
const dirs = chosen.length > 0 ? chosen : workspaceDirs()
const started = Date.now()
process.stderr.write('\n== test:quick: build (turbo)\n')
if (run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], ROOT) !== 0) process.exit(1)

const results = []
for (const dir of dirs) {
  if (!existsSync(join(ROOT, dir, 'package.json'))) continue
  const files = quickFiles(dir)
  if (files.length === 0) continue
  process.stderr.write(`\n== test:quick: ${dir} (${files.length} files)\n`)
  const begun = Date.now()
  const status = run(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
    join(ROOT, dir),
  )
  results.push({ dir, seconds: Math.round((Date.now() - begun) / 1000), status })
}

process.stderr.write('\n== test:quick: durations\n')
for (const { dir, seconds, status } of results)
  process.stderr.write(
    `  ${dir.padEnd(24)} ${String(seconds).padStart(4)}s  ${status === 0 ? 'ok' : `FAILED (exit ${status})`}\n`,
  )
process.stderr.write(
  `  ${'total'.padEnd(24)} ${String(Math.round((Date.now() - started) / 1000)).padStart(4)}s\n`,
)
process.stderr.write(`  left out (need more than Node): ${Object.keys(NEEDS_SYSTEM_TOOLS).join(', ')}\n`)
process.exit(results.every((r) => r.status === 0) ? 0 : 1)
