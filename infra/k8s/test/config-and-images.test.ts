/**
 * Every variable a manifest sets for an app is a key of that app's TypeBox config schema, and
 * the values pass it (the schemas the services themselves load with); every image is one the
 * compose file builds or pulls, so the cluster runs what compose runs.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse } from 'yaml'
import { REPO_ROOT } from '../src/paths.js'
import { APPS } from './support/apps.js'
import {
  containerEnv,
  containers,
  kustomizationObjects,
  OVERLAYS,
  overlayObjects,
} from './support/manifests.js'

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; build?: unknown }>
}
const composeImages = new Set(Object.values(compose.services).flatMap((s) => (s.image ? [s.image] : [])))

for (const overlay of OVERLAYS) {
  const all = containers(overlayObjects(overlay))
  describe(`${overlay} overlay: config and images`, () => {
    for (const { owner, container } of all.filter(({ container }) => APPS[container.image])) {
      const app = APPS[container.image]
      test(`${owner.metadata.name}: every env var is a key of its config schema, and the values pass it`, () => {
        const env = containerEnv(container)
        const unknown = Object.keys(env).filter((name) => !app?.keys.includes(name))
        assert.deepEqual(unknown, [], `not in ${container.image}'s schema`)
        assert.doesNotThrow(() => app?.load(env))
      })
    }

    test('every image is one docker-compose.yml builds or pulls', () => {
      for (const { owner, container } of all) {
        assert.ok(
          composeImages.has(container.image),
          `${owner.metadata.name}: ${container.image} is not in docker-compose.yml`,
        )
      }
    })

    test('the apps run the images compose builds (production-lab/...)', () => {
      const built = new Set(
        Object.values(compose.services).flatMap((s) => (s.build && s.image ? [s.image] : [])),
      )
      for (const { owner, container } of all.filter(({ container }) => APPS[container.image])) {
        assert.ok(built.has(container.image), owner.metadata.name)
      }
    })
  })
}

test('the Prometheus Operator objects are a kustomization of their own', () => {
  const kinds = kustomizationObjects('prometheus-operator').map((o) => o.kind)
  assert.deepEqual(kinds.sort(), ['PodMonitor', 'PrometheusRule'])
})
