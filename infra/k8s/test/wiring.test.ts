/**
 * The objects refer to each other correctly: selectors match pod labels, Services and policies
 * select pods that exist, a PDB only guards a workload of more than one replica, the HPA's
 * target exists and has CPU requests to scale on, nginx's upstreams are the overlay's headless
 * Services on their port, the watcher observes Services that exist, and Prometheus's scrape
 * annotations name real container ports and the jobs the rules use.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { NAMESPACE } from '../src/names.js'
import { PROMETHEUS_RULES_DIR } from '../src/paths.js'
import type { Manifest } from './support/manifests.js'
import { containerEnv, OVERLAYS, ofKind, overlayObjects, podTemplates, selects } from './support/manifests.js'

const rulesText = ['alerts.rules.yml', 'recording.rules.yml']
  .map((file) => readFileSync(join(PROMETHEUS_RULES_DIR, file), 'utf8'))
  .join('\n')

for (const overlay of OVERLAYS) {
  const objects = overlayObjects(overlay)
  const pods = podTemplates(objects)
  const podLabels = pods.map(({ template }) => template.metadata.labels as Record<string, string>)
  const selectsSomePod = (selector: Manifest) => podLabels.some((labels) => selects(selector, labels))
  const deployment = (name: string) => ofKind(objects, 'Deployment').find((d) => d.metadata.name === name)

  describe(`${overlay} overlay: wiring`, () => {
    test('every Deployment selects its own pod template, and only its own', () => {
      for (const { owner, template } of pods) {
        assert.ok(selects(owner.spec.selector, template.metadata.labels), owner.metadata.name)
        const others = pods.filter(
          (p) => p.owner !== owner && selects(owner.spec.selector, p.template.metadata.labels),
        )
        assert.deepEqual(
          others.map((p) => p.owner.metadata.name),
          [],
          `${owner.metadata.name} selects other pods`,
        )
      }
    })

    test('every Service selects pods, and targets a port those pods name', () => {
      for (const service of ofKind(objects, 'Service')) {
        const matching = pods.filter(({ template }) =>
          selects(service.spec.selector, template.metadata.labels),
        )
        assert.ok(matching.length > 0, `Service ${service.metadata.name} selects no pod`)
        for (const port of service.spec.ports as Manifest[]) {
          for (const { template } of matching) {
            const names = (template.spec.containers as Manifest[]).flatMap((c) =>
              (c.ports ?? []).map((p: Manifest) => p.name),
            )
            assert.ok(
              names.includes(port.targetPort),
              `Service ${service.metadata.name}: no port ${port.targetPort}`,
            )
          }
        }
      }
    })

    test('every NetworkPolicy selects pods (or all), and every peer selector matches a pod', () => {
      for (const policy of ofKind(objects, 'NetworkPolicy')) {
        const all = Object.keys(policy.spec.podSelector).length === 0
        assert.ok(all || selectsSomePod(policy.spec.podSelector), `${policy.metadata.name} selects no pod`)
        for (const rule of policy.spec.ingress ?? []) {
          for (const peer of rule.from ?? []) {
            assert.ok(selectsSomePod(peer.podSelector), `${policy.metadata.name}: a peer selects no pod`)
          }
        }
      }
    })

    test('a PodDisruptionBudget guards only a workload of more than one replica', () => {
      for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
        const guarded = pods.filter(({ template }) => selects(pdb.spec.selector, template.metadata.labels))
        assert.equal(guarded.length, 1, `${pdb.metadata.name} guards ${guarded.length} workloads`)
        const owner = guarded[0]?.owner as Manifest
        const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find(
          (h) => h.spec.scaleTargetRef.name === owner.metadata.name,
        )
        const least = hpa ? Math.min(hpa.spec.minReplicas, owner.spec.replicas) : owner.spec.replicas
        assert.ok(
          least > 1,
          `${pdb.metadata.name} guards ${owner.metadata.name} with ${least} replica(s): a drain would block`,
        )
      }
    })

    test("every HorizontalPodAutoscaler's target exists and requests the resource it scales on", () => {
      for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
        const target = hpa.spec.scaleTargetRef
        const owner = ofKind(objects, target.kind).find(
          (o) => o.metadata.name === target.name && o.apiVersion === target.apiVersion,
        )
        assert.ok(owner, `HPA ${hpa.metadata.name}: no ${target.kind} ${target.name}`)
        for (const metric of hpa.spec.metrics as Manifest[]) {
          for (const container of owner.spec.template.spec.containers as Manifest[]) {
            assert.ok(
              container.resources?.requests?.[metric.resource.name],
              `${container.name} requests no ${metric.resource.name}`,
            )
          }
        }
        assert.ok(hpa.spec.minReplicas <= owner.spec.replicas && owner.spec.replicas <= hpa.spec.maxReplicas)
      }
    })

    test("nginx's upstreams are this overlay's headless Services, on the port they serve", () => {
      const conf = ofKind(objects, 'ConfigMap').find((c) => c.data?.['nginx.conf'])?.data[
        'nginx.conf'
      ] as string
      const servers = [...conf.matchAll(/^\s*server ([^\s:]+):(\d+) .*\bresolve;/gm)]
      assert.ok(servers.length >= 3, 'writer + two reader server lines with `resolve`')
      for (const [, host, port] of servers) {
        const name = host?.replace(`.${NAMESPACE}.svc.cluster.local`, '')
        const service = ofKind(objects, 'Service').find((s) => s.metadata.name === name)
        assert.ok(service, `no Service ${name} for upstream ${host}`)
        assert.equal(service.spec.clusterIP, 'None', `${name} is not headless`)
        assert.ok(
          (service.spec.ports as Manifest[]).some((p) => String(p.port) === port),
          `${name} has no port ${port}`,
        )
      }
    })

    test('the watcher observes only (the kubelet owns restarts) and watches Services that exist', () => {
      const watcher = pods.find(
        ({ template }) => template.metadata.labels['app.kubernetes.io/component'] === 'health-watcher',
      )
      const env = containerEnv(watcher?.template.spec.containers[0])
      assert.equal(env.WATCHER_ADAPTER, 'observe')
      for (const target of JSON.parse(env.WATCH_TARGETS ?? '[]') as Array<{ url: string }>) {
        const host = new URL(target.url).hostname.replace(`.${NAMESPACE}.svc.cluster.local`, '')
        assert.ok(
          ofKind(objects, 'Service').some((s) => s.metadata.name === host),
          `no Service ${host}`,
        )
      }
    })

    test('scrape annotations name a real container port, and cover the jobs the rules use', () => {
      const jobs = new Set<string>()
      for (const { owner, template } of pods) {
        const annotations = template.metadata.annotations ?? {}
        const job = annotations['production-lab/scrape-job']
        if (!job) continue
        jobs.add(job)
        const ports = (template.spec.containers as Manifest[]).flatMap((c) =>
          (c.ports ?? []).map((p: Manifest) => p.name),
        )
        assert.ok(
          ports.includes(annotations['production-lab/scrape-port']),
          `${owner.metadata.name}: no such port`,
        )
      }
      for (const job of ['writer', 'reader', 'health_watcher', 'nginx_exporter']) {
        assert.ok(rulesText.includes(job), `the rules do not use ${job}: this list is stale`)
        assert.ok(jobs.has(job), `no pod is scraped as job=${job}`)
      }
    })

    test(
      overlay === 'lab'
        ? 'lab: two single-replica readers weighted 3:1, the writer limited to 500m / 512Mi'
        : 'scale: the writer stays a single Recreate replica',
      () => {
        const writer = deployment('app-slow')
        assert.equal(writer?.spec.replicas, 1)
        assert.equal(writer?.spec.strategy.type, 'Recreate')
        if (overlay !== 'lab') return
        assert.deepEqual(writer?.spec.template.spec.containers[0].resources.limits, {
          cpu: '500m',
          memory: '512Mi',
        })
        const conf = ofKind(objects, 'ConfigMap').find((c) => c.data?.['nginx.conf'])?.data[
          'nginx.conf'
        ] as string
        assert.match(conf, /server app-fast-1\.\S+ weight=3 /)
        assert.match(conf, /server app-fast-2\.\S+ weight=1 /)
        assert.equal(deployment('app-fast-1')?.spec.replicas, 1)
        assert.equal(deployment('app-fast-2')?.spec.replicas, 1)
      },
    )
  })
}
