/**
 * The `lab` overlay as `podman kube play` can run it on a machine without Kubernetes
 * (scripts/k8s/kube-play.sh). It starts from the committed YAML and changes only what podman
 * cannot take or does not model, each change listed in `changes` so the script prints them:
 *   - kinds podman does not model (Service, NetworkPolicy, RBAC, Namespace, HPA, PDB) are left
 *     out; so is Grafana, which has no image here;
 *   - the Secret kustomize would generate is replaced by a per-run token in the env;
 *   - nginx's config is rendered from the same template for podman's names (pods answer DNS on
 *     a podman network by their pod name, `<deployment>-pod-0`), without `resolve` (the stand-in
 *     image's nginx is 1.22; it resolves once at start and podman restarts it until it can);
 *   - Prometheus's Kubernetes SD becomes static targets carrying the labels the SD would give
 *     (same relabelling): the stand-in image's Debian Prometheus is built without Kubernetes SD;
 *   - the watcher's targets are those pod names too, instead of the Services' FQDNs;
 *   - images are never pulled (podman's store holds what smoke.sh --prepare-only built);
 *   - probes go (podman 4 would turn them into curl healthchecks; the images have no curl): the
 *     script asks the same /health/ready, /lb-health and /-/ready routes itself;
 *   - containerPorts go (podman 4 publishes each on every host address), but nginx's public
 *     port, published on 127.0.0.1 (hostPort).
 */
import { type NginxVars, renderNginxConfig } from '@production-lab/stack'
import { parse, stringify } from 'yaml'
import { READER_NAMES, WRITER_NAME } from './app-workloads.js'
import { kustomizationObjects, type Manifest } from './committed.js'
import { GRAFANA_NAME } from './grafana.js'
import { APP_PORT, CLUSTER_DOMAIN, LABEL, LB_PORT, NAMESPACE, NGINX_STATUS_PORT } from './names.js'
import { clusterNginxVars, NGINX_CONFIG_MAP } from './nginx.js'
import { annotationLabel, PROMETHEUS_CONFIG_MAP } from './prometheus.js'

/** The DNS name of a Deployment's (first) pod on a podman network: podman 4 names it so. */
export const podmanPodName = (deployment: string) => `${deployment}-pod-0`

const RUN_KINDS = new Set(['Deployment', 'ConfigMap'])

export interface PodmanPlay {
  yaml: string
  /** Deployments podman runs (their pods are `<name>-pod`) */
  deployments: string[]
  /** what the cluster has that this run has not, kind -> names */
  notModeled: Record<string, string[]>
  changes: string[]
}

function podmanNginxVars(): NginxVars {
  const [reader1, reader2] = READER_NAMES.map((name) => `${podmanPodName(name)}:${APP_PORT}`) as [
    string,
    string,
  ]
  return {
    ...clusterNginxVars(READER_NAMES as [string, string]),
    LB_LISTEN: String(LB_PORT),
    NGINX_STATUS_LISTEN: String(NGINX_STATUS_PORT),
    WRITER_UPSTREAM: `${podmanPodName(WRITER_NAME)}:${APP_PORT}`,
    READER_1_UPSTREAM: reader1,
    READER_2_UPSTREAM: reader2,
    NGINX_RESOLVER: '',
    UPSTREAM_SERVER_FLAGS: '',
  }
}

/** http://app-slow.production-lab.svc.cluster.local:8000 -> http://app-slow-pod:8000 */
function podmanUrls(watchTargets: string): string {
  const suffix = `.${NAMESPACE}.svc.${CLUSTER_DOMAIN}`
  const targets = JSON.parse(watchTargets) as Array<{ name: string; url: string }>
  return JSON.stringify(
    targets.map(({ name, url }) => {
      const parsed = new URL(url)
      parsed.hostname = podmanPodName(parsed.hostname.replace(suffix, ''))
      return { name, url: parsed.origin }
    }),
  )
}

/**
 * Prometheus's config with the Kubernetes service discovery replaced by static targets that
 * carry the labels the discovery would give each pod's port, so the same relabelling turns
 * them into job/instance (Debian's Prometheus, the stand-in image's, has no Kubernetes SD).
 */
function podmanPrometheusConfig(config: string, deployments: Manifest[]): string {
  const parsed = parse(config) as { scrape_configs: Manifest[] }
  const meta = (annotation: string) => annotationLabel(annotation)
  const targets = deployments.flatMap((deployment) => {
    const annotations = (deployment.spec.template.metadata.annotations ?? {}) as Record<string, string>
    return (deployment.spec.template.spec.containers as Manifest[]).flatMap((container) =>
      ((container.ports ?? []) as Manifest[]).map((port) => ({
        targets: [`${podmanPodName(deployment.metadata.name)}:${port.containerPort}`],
        labels: {
          ...Object.fromEntries(Object.entries(annotations).map(([key, value]) => [meta(key), value])),
          __meta_kubernetes_pod_name: podmanPodName(deployment.metadata.name),
          __meta_kubernetes_pod_container_port_name: port.name,
        },
      })),
    )
  })
  for (const job of parsed.scrape_configs) {
    if (!job.kubernetes_sd_configs) continue
    delete job.kubernetes_sd_configs
    job.static_configs = targets
  }
  return stringify(parsed)
}

export function podmanPlay(options: { adminToken: string; hostPort: number }): PodmanPlay {
  const objects = kustomizationObjects('overlays/lab')
  const notModeled: Record<string, string[]> = {}
  const skip = (object: Manifest, why = object.kind as string) => {
    notModeled[why] = [...(notModeled[why] ?? []), object.metadata.name]
  }
  const isGrafana = (o: Manifest) => o.metadata?.labels?.[LABEL.name] === GRAFANA_NAME
  const kept = objects.filter((object) => {
    if (!RUN_KINDS.has(object.kind)) skip(object)
    else if (isGrafana(object)) skip(object, `${object.kind} (Grafana: no image here)`)
    else return true
    return false
  })
  // Before the loop below drops the container ports the static targets are made of.
  const deployments = kept.filter((o) => o.kind === 'Deployment')
  const prometheusConfig = kept.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === PROMETHEUS_CONFIG_MAP,
  )
  if (!prometheusConfig) throw new Error(`the lab overlay has no ConfigMap ${PROMETHEUS_CONFIG_MAP}`)
  prometheusConfig.data['prometheus.yml'] = podmanPrometheusConfig(
    prometheusConfig.data['prometheus.yml'],
    deployments,
  )
  for (const object of kept) {
    if (object.kind === 'ConfigMap' && object.metadata.name === NGINX_CONFIG_MAP) {
      object.data['nginx.conf'] = renderNginxConfig(podmanNginxVars())
    }
    if (object.kind !== 'Deployment') continue
    const spec = object.spec.template.spec
    for (const container of spec.containers as Manifest[]) {
      container.imagePullPolicy = 'Never'
      delete container.startupProbe
      delete container.livenessProbe
      delete container.readinessProbe
      for (const variable of (container.env ?? []) as Manifest[]) {
        if (variable.valueFrom?.secretKeyRef?.key === 'ADMIN_TOKEN') {
          delete variable.valueFrom
          variable.value = options.adminToken
        }
      }
      const targets = (container.env as Manifest[] | undefined)?.find((v) => v.name === 'WATCH_TARGETS')
      if (targets) targets.value = podmanUrls(targets.value)
      // podman 4 publishes every containerPort on the host (on all addresses); inside the
      // network every port is reachable anyway, so only nginx's public port stays, on 127.0.0.1.
      container.ports = ((container.ports ?? []) as Manifest[])
        .filter((port) => container.name === 'nginx' && port.containerPort === LB_PORT)
        .map((port) => ({ ...port, hostPort: options.hostPort, hostIP: '127.0.0.1' }))
      if (container.ports.length === 0) delete container.ports
    }
  }
  // nginx last: it resolves its upstreams once, at start.
  const ordered = [
    ...kept.filter((o) => o.kind === 'ConfigMap'),
    ...kept.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'nginx-lb'),
    ...kept.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'nginx-lb'),
  ]
  return {
    yaml: ordered.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'),
    deployments: ordered.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name),
    notModeled,
    changes: [
      'Secret (kustomize secretGenerator) -> a per-run ADMIN_TOKEN value in the env',
      `nginx.conf re-rendered from infra/nginx/nginx.conf.template for podman pod names (${podmanPodName(WRITER_NAME)}, ...), without resolve (stand-in nginx 1.22)`,
      "Prometheus: Kubernetes SD replaced by static targets labelled as the SD would label each pod's port, same relabelling (the stand-in's Debian Prometheus has no Kubernetes SD)",
      "the watcher's WATCH_TARGETS name the pods (<name>-pod-0) instead of the headless Services",
      'imagePullPolicy -> Never (the images smoke.sh --prepare-only built)',
      'startup/liveness/readiness probes removed (podman would run them as curl healthchecks); kube-play.sh asks the same routes',
      `container ports dropped (podman 4 would publish each on the host); nginx's http port published on 127.0.0.1:${options.hostPort}`,
    ],
  }
}
