/**
 * What an image gets: `pnpm deploy --prod` of one app (node.Dockerfile) installs the app's own
 * dependencies, and the workspace packages it uses with theirs, but not their peer dependencies:
 * those must come from the app. When the lifecycle made fastify, pino and prom-client peers (so
 * a service that installs it brings its own), the readers' image lost prom-client and every app
 * container died at start with ERR_MODULE_NOT_FOUND, although the workspace, where the
 * lifecycle's dev dependencies are installed, ran fine. Checked here without building an image.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { REPO_ROOT } from '@production-lab/stack'

interface PackageJson {
  name: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

const readPackage = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson

/** The workspace packages by name (packages/*), with their package.json. */
const workspacePackages = new Map(
  readdirSync(join(REPO_ROOT, 'packages')).map((dir) => {
    const pkg = readPackage(join('packages', dir))
    return [pkg.name, pkg] as const
  }),
)

/** The apps an image is built for: node.Dockerfile's APP values, the ones compose runs. */
const IMAGE_APPS = ['writer', 'reader', 'health-watcher']

for (const app of IMAGE_APPS) {
  test(`apps/${app} provides every peer dependency of the workspace packages it deploys, at the tested version`, () => {
    const pkg = readPackage(join('apps', app))
    const deps = pkg.dependencies ?? {}
    const missing: string[] = []
    for (const name of Object.keys(deps)) {
      const workspace = workspacePackages.get(name)
      for (const peer of Object.keys(workspace?.peerDependencies ?? {})) {
        const tested = workspace?.devDependencies?.[peer]
        if (deps[peer] === undefined) missing.push(`${peer} (a peer of ${name}; tested with ${tested})`)
        else if (tested !== undefined && deps[peer] !== tested)
          missing.push(`${peer} ${deps[peer]} (${name} is tested with ${tested})`)
      }
    }
    assert.deepEqual(missing, [], `apps/${app}/package.json dependencies lack what its image needs`)
  })
}
