/**
 * The committed YAML is exactly what the TypeScript renders, and every object in it passed its
 * kubernetes-models schema on the way (renderFile validates). Failing-first: validate() must
 * reject a broken object, or the rendering's check would prove nothing.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { parse } from 'yaml'
import { writerDeployment } from '../src/app-workloads.js'
import { committedFiles } from '../src/committed.js'
import { renderFile, renderLayout } from '../src/layout.js'
import { PACKAGE_DIR, PROMETHEUS_RULES_DIR } from '../src/paths.js'
import { kustomizationObjects } from './support/manifests.js'

const rendered = renderLayout()

for (const [path, text] of Object.entries(rendered)) {
  test(`infra/k8s/${path} is up to date with infra/k8s/src`, () => {
    assert.ok(
      readFileSync(join(PACKAGE_DIR, path), 'utf8') === text,
      `infra/k8s/${path} differs from what infra/k8s/src renders: run \`pnpm --filter @production-lab/k8s generate\` and commit the result`,
    )
  })
}

test('no committed YAML under base/, overlays/, prometheus-operator/ that the TypeScript does not render', () => {
  assert.deepEqual(
    committedFiles().filter((path) => !(path in rendered)),
    [],
  )
})

test('rendering refuses an object its Kubernetes schema rejects', () => {
  const broken = writerDeployment().toJSON() as { spec: { replicas: unknown } }
  broken.spec.replicas = 'one'
  assert.throws(() => renderFile({ objects: [new Deployment(broken as never)] }), /Deployment\/app-slow/)
  const wrongProbe = writerDeployment().toJSON() as {
    spec: { template: { spec: { containers: Array<Record<string, unknown>> } } }
  }
  ;(wrongProbe.spec.template.spec.containers[0] as Record<string, unknown>).readinessProbe = { httpGet: {} }
  assert.throws(() => renderFile({ objects: [new Deployment(wrongProbe as never)] }), /port/)
})

test('the PrometheusRule holds exactly the groups of prometheus/rules/*.rules.yml', () => {
  const [rule] = kustomizationObjects('prometheus-operator').filter((o) => o.kind === 'PrometheusRule')
  const files = readdirSync(PROMETHEUS_RULES_DIR).filter((f) => f.endsWith('.rules.yml'))
  assert.ok(files.length >= 2)
  const groups = files
    .sort()
    .flatMap((f) => parse(readFileSync(join(PROMETHEUS_RULES_DIR, f), 'utf8')).groups)
  assert.deepEqual(rule?.spec.groups, groups)
})
