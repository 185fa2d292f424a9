/**
 * The podman rendering scripts/k8s/kube-play.sh runs keeps what podman can run of the lab
 * overlay and changes only what it says it changes: nothing is published but nginx's port on
 * 127.0.0.1, nothing is pulled, no secret reference is left, every upstream and watch target
 * and scrape target names a pod the rendering starts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parse, parseAllDocuments } from 'yaml'
import { podmanPlay, podmanPodName } from '../src/podman-play.js'
import { containers, type Manifest, ofKind } from './support/manifests.js'

const play = podmanPlay({ adminToken: 'a-test-token-of-enough-length', hostPort: 24080 })
const objects = parseAllDocuments(play.yaml).map((d) => d.toJS() as Manifest)
const pods = new Set(ofKind(objects, 'Deployment').map((d) => podmanPodName(d.metadata.name)))

test('only Deployments and ConfigMaps, every other kind listed as not modeled', () => {
  assert.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), ['ConfigMap', 'Deployment'])
  for (const kind of ['Service', 'NetworkPolicy', 'Role', 'RoleBinding', 'ServiceAccount', 'Namespace']) {
    assert.ok(play.notModeled[kind]?.length, `${kind} not listed`)
  }
  assert.deepEqual(play.deployments.map(podmanPodName).sort(), [...pods].sort())
  assert.equal(play.deployments.at(-1), 'nginx-lb', 'nginx starts last')
})

test('nothing pulled, no secret reference, only nginx published and only on 127.0.0.1', () => {
  for (const { owner, container } of containers(objects)) {
    assert.equal(container.imagePullPolicy, 'Never')
    assert.ok(!JSON.stringify(container.env ?? []).includes('secretKeyRef'), owner.metadata.name)
    for (const port of container.ports ?? []) {
      assert.equal(container.name, 'nginx')
      assert.deepEqual([port.hostIP, port.hostPort], ['127.0.0.1', 24080])
    }
  }
})

test("nginx's upstreams, the watcher's targets and Prometheus's targets are pods this rendering starts", () => {
  const conf = ofKind(objects, 'ConfigMap').find((c) => c.data['nginx.conf'])?.data['nginx.conf'] as string
  const upstreams = [...conf.matchAll(/^\s*server ([^\s:]+):\d+ /gm)].map((m) => m[1])
  assert.equal(upstreams.length, 3)
  assert.doesNotMatch(conf, /\bresolve;|^\s*resolver\s/m)
  const watcher = containers(objects).find(({ container }) => container.name === 'watcher')
  const targets = JSON.parse(watcher?.container.env.find((v: Manifest) => v.name === 'WATCH_TARGETS').value)
  const prometheus = parse(
    ofKind(objects, 'ConfigMap').find((c) => c.data['prometheus.yml'])?.data['prometheus.yml'],
  )
  const scraped = prometheus.scrape_configs.flatMap((job: Manifest) =>
    (job.static_configs ?? []).flatMap((s: Manifest) => s.targets.map((t: string) => t.split(':')[0])),
  )
  for (const host of [
    ...upstreams,
    ...targets.map((t: { url: string }) => new URL(t.url).hostname),
    ...scraped,
  ]) {
    assert.ok(host === 'localhost' || pods.has(host), `${host} is not a pod of the rendering`)
  }
  assert.ok(!prometheus.scrape_configs.some((job: Manifest) => job.kubernetes_sd_configs))
})
