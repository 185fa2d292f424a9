/**
 * Hardening and isolation over the rendered YAML: every container has requests and limits, runs
 * as non-root on a read-only root filesystem with every capability dropped and the runtime's
 * seccomp profile; only Prometheus mounts a service-account token; only nginx's port and
 * Grafana's UI are open to any peer; the apps' port (which serves /metrics and /admin too) is
 * reachable only from nginx, Prometheus and the watcher; no Secret is committed.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { committedFiles } from '../src/committed.js'
import { APP_PORT } from '../src/names.js'
import { PACKAGE_DIR } from '../src/paths.js'
import type { Manifest } from './support/manifests.js'
import { containers, OVERLAYS, ofKind, overlayObjects, podTemplates, selects } from './support/manifests.js'

for (const overlay of OVERLAYS) {
  const objects = overlayObjects(overlay)
  const pods = podTemplates(objects)

  describe(`${overlay} overlay: security`, () => {
    for (const { owner, pod, container } of containers(objects)) {
      const name = `${owner.metadata.name}/${container.name}`
      test(`${name}: requests and limits for cpu and memory`, () => {
        for (const kind of ['requests', 'limits']) {
          for (const resource of ['cpu', 'memory']) {
            assert.ok(container.resources?.[kind]?.[resource], `${name} has no ${kind}.${resource}`)
          }
        }
      })

      test(`${name}: non-root, read-only root, no capabilities, RuntimeDefault seccomp, no privilege escalation`, () => {
        const effective = { ...pod.securityContext, ...container.securityContext }
        assert.equal(effective.runAsNonRoot, true)
        assert.ok(Number.isInteger(effective.runAsUser) && effective.runAsUser > 0, 'a numeric non-root user')
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true)
        assert.equal(container.securityContext?.allowPrivilegeEscalation, false)
        assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL'])
        assert.equal(container.securityContext?.capabilities?.add, undefined)
        assert.equal(effective.seccompProfile?.type, 'RuntimeDefault')
      })
    }

    test('only pods bound to a Role mount a service-account token', () => {
      const bound = new Set(
        ofKind(objects, 'RoleBinding').flatMap((b) => (b.subjects as Manifest[]).map((s) => s.name)),
      )
      for (const { owner, template } of pods) {
        const account = template.spec.serviceAccountName
        if (template.spec.automountServiceAccountToken === false) continue
        assert.ok(account && bound.has(account), `${owner.metadata.name} mounts a token it has no use for`)
      }
    })

    const policies = ofKind(objects, 'NetworkPolicy')
    /** Names of the pods whose labels `peer` selects. */
    const peerPods = (peer: Manifest) =>
      pods
        .filter(({ template }) => selects(peer.podSelector, template.metadata.labels))
        .map(({ owner }) => owner.metadata.name)

    test('ingress is denied by default', () => {
      assert.ok(
        policies.some(
          (p) =>
            Object.keys(p.spec.podSelector).length === 0 &&
            p.spec.policyTypes.includes('Ingress') &&
            !p.spec.ingress,
        ),
      )
    })

    test("the apps' port is reachable only from nginx, Prometheus and the watcher", () => {
      for (const { owner, template } of pods.filter(({ template }) =>
        ['writer', 'reader', 'health-watcher'].includes(
          template.metadata.labels['app.kubernetes.io/component'],
        ),
      )) {
        const peers = new Set<string>()
        for (const policy of policies.filter((p) => selects(p.spec.podSelector, template.metadata.labels))) {
          for (const rule of policy.spec.ingress ?? []) {
            if (!(rule.ports as Manifest[]).some((p) => p.port === APP_PORT)) continue
            assert.ok(
              rule.from?.length,
              `${policy.metadata.name} opens ${owner.metadata.name}'s port to everyone`,
            )
            for (const peer of rule.from) for (const pod of peerPods(peer)) peers.add(pod)
          }
        }
        const allowed = new Set(['nginx-lb', 'prometheus', 'health-watcher'])
        assert.deepEqual(
          [...peers].filter((p) => !allowed.has(p)),
          [],
          owner.metadata.name,
        )
        if (template.metadata.labels['app.kubernetes.io/component'] === 'health-watcher') {
          assert.deepEqual([...peers], ['prometheus'], 'the watcher serves only /metrics and probes')
        }
      }
    })

    test('only nginx (its public port) and Grafana (its UI) accept any peer', () => {
      for (const policy of policies) {
        for (const rule of policy.spec.ingress ?? []) {
          if (rule.from?.length) continue
          const open = pods.filter(({ template }) =>
            selects(policy.spec.podSelector, template.metadata.labels),
          )
          assert.deepEqual(
            open.map(({ owner }) => owner.metadata.name).filter((n) => n !== 'nginx-lb' && n !== 'grafana'),
            [],
            policy.metadata.name,
          )
          assert.equal(rule.ports.length, 1, `${policy.metadata.name} opens one port`)
        }
      }
    })
  })
}

test('no Secret is committed; secrets come from the generator fed by the git-ignored secrets.env', () => {
  for (const path of committedFiles()) {
    assert.doesNotMatch(readFileSync(join(PACKAGE_DIR, path), 'utf8'), /^kind: Secret$/m, path)
  }
  assert.match(readFileSync(join(PACKAGE_DIR, '.gitignore'), 'utf8'), /^base\/secrets\.env$/m)
})
