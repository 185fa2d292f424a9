/**
 * Names, labels, images and ports of the lab on Kubernetes, derived from the topology
 * (@production-lab/stack) and the nginx renderer, never restated: Kubernetes names may not
 * hold `_`, so the guide's container names become DNS labels (app_fast_1 -> app-fast-1), while
 * the metrics keep the guide's names (`instance="app_fast_1"`) through a pod annotation.
 */
import { type AppServiceSpec, BASE_PORTS, CONTAINER_APP_PORT } from '@production-lab/stack'

/** The namespace the overlays set; nginx's upstream FQDNs name it (its resolver has no search path). */
export const NAMESPACE = 'production-lab'
/** The cluster's DNS domain (kubelet --cluster-domain); cluster.local everywhere but exotic setups. */
export const CLUSTER_DOMAIN = 'cluster.local'

/** app_fast_1 -> app-fast-1 */
export function k8sName(guideName: string): string {
  return guideName.replaceAll('_', '-')
}

/** Fully qualified name of a Service in the lab's namespace. */
export function serviceFqdn(name: string): string {
  return `${name}.${NAMESPACE}.svc.${CLUSTER_DOMAIN}`
}

/** The port every app listens on in its container (the compose images' PORT). */
export const APP_PORT = CONTAINER_APP_PORT
/**
 * The topology's ports without LAB_PORT_OFFSET (which only shifts a second native stack on
 * one machine): nginx's public port (the guide's 8080), its stub_status port, Prometheus and
 * the nginx exporter. Grafana's datasource (grafana/provisioning) names http://prometheus:9090.
 */
export const LB_PORT = BASE_PORTS.loadBalancer
export const NGINX_STATUS_PORT = BASE_PORTS.nginxStatus
export const PROMETHEUS_PORT = BASE_PORTS.prometheus
export const NGINX_EXPORTER_PORT = BASE_PORTS.nginxExporter
/** Grafana's own default port (the compose file publishes the same). */
export const GRAFANA_PORT = 3000

/** Images: the ones docker-compose.yml builds (production-lab/...) or pulls; a test checks. */
export const IMAGES = {
  writer: 'production-lab/writer:latest',
  reader: 'production-lab/reader:latest',
  watcher: 'production-lab/health-watcher:latest',
  nginx: 'production-lab/nginx:latest',
  prometheus: 'production-lab/prometheus:latest',
  nginxExporter: 'nginx/nginx-prometheus-exporter:1.4.2',
  grafana: 'grafana/grafana:12.1.1',
} as const

/** Label keys; `app.kubernetes.io/*` are the well-known ones. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
} as const
export const PART_OF = 'production-lab'

/** Pod annotations Prometheus's service discovery reads (prometheus.ts). */
export const SCRAPE = {
  /** the `job` label: writer, reader, health_watcher, nginx_exporter (the compose job names) */
  job: 'production-lab/scrape-job',
  /** name of the container port to scrape */
  port: 'production-lab/scrape-port',
  /** the `instance` label when set (the guide's container name); else the pod's name */
  instance: 'production-lab/instance',
} as const

/** Labels of one component's pods (and its selector: name alone, which never changes). */
export function podLabels(name: string, component: string): Record<string, string> {
  return { [LABEL.name]: name, [LABEL.component]: component, [LABEL.partOf]: PART_OF }
}

export function selectorOf(name: string): Record<string, string> {
  return { [LABEL.name]: name }
}

/** The Kubernetes name of a topology service (app_slow -> app-slow). */
export function nameOf(service: AppServiceSpec): string {
  return k8sName(service.name)
}
