/**
 * `kubectl kustomize` builds each overlay (and the Operator objects) as `kubectl apply -k` would,
 * offline, when kubectl is installed: from a copy of infra/k8s with a throwaway secrets.env
 * (the user's own never exists in a clone). The build must carry the generated Secret under its
 * hashed name, every reference rewritten to it, and the overlay's namespace on every object.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { GENERATED_DIRS } from '../src/committed.js'
import { NAMESPACE } from '../src/names.js'
import { PACKAGE_DIR } from '../src/paths.js'
import { SECRET_KEYS, SECRET_NAME, SECRETS_ENV_FILE } from '../src/secrets.js'
import type { Manifest } from './support/manifests.js'

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' })
// Skipped only off CI: CI's machine has kubectl, and there a missing one must fail, not pass.
const skip = kubectl.error && !process.env.CI ? 'kubectl is not installed' : false

describe('kubectl kustomize', { skip }, () => {
  const root = mkdtempSync(join(tmpdir(), 'k8s-kustomize-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  for (const dir of GENERATED_DIRS) cpSync(join(PACKAGE_DIR, dir), join(root, dir), { recursive: true })
  const build = (dir: string) => spawnSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' })

  test('without the user-written secrets.env the build fails and names the file', () => {
    const result = build('overlays/lab')
    assert.notEqual(result.status, 0)
    assert.match(result.stderr, new RegExp(SECRETS_ENV_FILE))
  })

  test('with it, each overlay builds: namespace everywhere, the Secret generated and referenced by its hashed name', () => {
    writeFileSync(
      join(root, 'base', SECRETS_ENV_FILE),
      Object.values(SECRET_KEYS)
        .map((key) => `${key}=${randomBytes(18).toString('base64url')}\n`)
        .join(''),
    )
    for (const overlay of ['overlays/lab', 'overlays/scale']) {
      const result = build(overlay)
      assert.equal(result.status, 0, result.stderr)
      const objects = parseAllDocuments(result.stdout).map((d) => d.toJS() as Manifest)
      const secret = objects.find((o) => o.kind === 'Secret')
      assert.match(secret?.metadata.name, new RegExp(`^${SECRET_NAME}-[a-z0-9]{10}$`))
      assert.deepEqual(Object.keys(secret?.data ?? {}).sort(), Object.values(SECRET_KEYS).sort())
      const refs = result.stdout.match(/secretKeyRef:\n\s+key: \S+\n\s+name: (\S+)/g) ?? []
      assert.ok(refs.length >= 4, `${refs.length} secret references`)
      for (const ref of refs) assert.ok(ref.endsWith(secret?.metadata.name), ref)
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
        assert.equal(object.metadata.namespace, NAMESPACE, `${object.kind}/${object.metadata.name}`)
      }
    }
  })

  test('the Prometheus Operator objects build on their own', () => {
    const result = build('prometheus-operator')
    assert.equal(result.status, 0, result.stderr)
    assert.deepEqual(
      parseAllDocuments(result.stdout)
        .map((d) => d.toJS().kind)
        .sort(),
      ['PodMonitor', 'PrometheusRule'],
    )
  })
})
