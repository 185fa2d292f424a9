/**
 * turbo restores a package's dist/ from its cache when the build's inputs hash the same. Every
 * build is `tsc -p tsconfig.build.json`, which extends ../../tsconfig.base.json: a compiler
 * option changed in either file must change the hash, or a cached, stale dist/ is replayed
 * (it was: turbo.json listed neither). Read from turbo itself (`--dry=json`), for every package
 * with a build: the files of its tsconfig's `extends` chain are among the build's inputs.
 * Here because @production-lab/stack is the first package every build depends on.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

interface DryTask {
  taskId: string
  directory: string
  inputs: Record<string, string>
}

/** The tsconfig `-p` names and every file it extends, relative to the package directory. */
function extendsChain(packageDir: string, config: string): string[] {
  const chain: string[] = []
  let file: string | undefined = join(packageDir, config)
  while (file) {
    chain.push(relative(packageDir, file))
    const parent: string | undefined = (JSON.parse(readFileSync(file, 'utf8')) as { extends?: string })
      .extends
    file = parent ? resolve(dirname(file), parent) : undefined
  }
  return chain
}

test('every build lists its tsconfig.build.json and tsconfig.base.json as inputs (turbo --dry=json)', () => {
  const dry = JSON.parse(
    execFileSync(join(ROOT, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--dry=json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { tasks: DryTask[] }
  const builds = dry.tasks.filter((task) => task.taskId.endsWith('#build'))
  assert.ok(builds.length >= 10, `turbo planned only ${builds.length} builds`)
  const missing: string[] = []
  for (const task of builds) {
    const packageDir = join(ROOT, task.directory)
    const script = (
      JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
        scripts?: { build?: string }
      }
    ).scripts?.build
    const config = /tsc -p (\S+)/.exec(script ?? '')?.[1]
    if (!config) continue
    for (const file of extendsChain(packageDir, config))
      if (!(file in task.inputs)) missing.push(`${task.taskId}: ${file}`)
  }
  assert.deepEqual(missing, [], `build inputs turbo does not hash (turbo.json tasks.build.inputs)`)
})
