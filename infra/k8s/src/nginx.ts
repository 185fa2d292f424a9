/**
 * nginx_lb on Kubernetes: a plain Deployment (not the retired community ingress-nginx) running
 * the compose image with infra/nginx/nginx.conf.template rendered here, by the same renderer as
 * the native stack, into a ConfigMap. Upstreams are the apps' headless Services by FQDN with
 * `resolve` (nginx >= 1.27.3, the official image the compose file builds on): nginx asks the
 * cluster DNS every NGINX_RESOLVER_VALID_S and so follows pods as they come and go. The
 * stub_status exporter runs beside it and is what Prometheus scrapes.
 */
import { createHash } from 'node:crypto'
import { type NginxVars, READERS, renderNginxConfig } from '@production-lab/stack'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { WRITER_NAME } from './app-workloads.js'
import {
  APP_PORT,
  CLUSTER_DOMAIN,
  IMAGES,
  LB_PORT,
  NGINX_EXPORTER_PORT,
  NGINX_STATUS_PORT,
  podLabels,
  SCRAPE,
  selectorOf,
  serviceFqdn,
} from './names.js'
import { hardenedContainer, podSpec, TMP_MOUNT } from './pod-parts.js'
import { mebibytes, USERS } from './security.js'
import { GRACE_MARGIN_S, NGINX_RESOLVER_VALID_S, PRE_STOP_SLEEP_S } from './timing.js'

export const NGINX_NAME = 'nginx-lb'
export const NGINX_CONFIG_MAP = 'nginx-conf'
const CONFIG_DIR = '/etc/nginx/lab'
export const NGINX_CONFIG_PATH = `${CONFIG_DIR}/nginx.conf`
/** The emptyDir at /tmp is nginx's runtime dir: pid file and temp paths. */
const RUNTIME_DIR = '/tmp'
/**
 * seconds: the longest a proxied request may take (the template's proxy_read_timeout and
 * proxy_send_timeout), which a graceful `nginx -s quit` waits for.
 */
export function longestProxyTimeoutS(nginxConf: string): number {
  const timeouts = [...nginxConf.matchAll(/^\s*proxy_(?:read|send)_timeout\s+(\d+)s;/gm)].map((m) =>
    Number(m[1]),
  )
  if (timeouts.length === 0)
    throw new Error('nginx.conf sets no proxy_read_timeout / proxy_send_timeout in seconds')
  return Math.max(...timeouts)
}
/** The cluster DNS Service; nginx resolves this name once at start with the system resolver. */
const CLUSTER_DNS = `kube-dns.kube-system.svc.${CLUSTER_DOMAIN}`

/** The template's variables on a cluster; `readers` are the two reader upstreams' Service names. */
export function clusterNginxVars(readers: [string, string]): NginxVars {
  return {
    LB_LISTEN: String(LB_PORT),
    NGINX_STATUS_LISTEN: String(NGINX_STATUS_PORT),
    WRITER_UPSTREAM: `${serviceFqdn(WRITER_NAME)}:${APP_PORT}`,
    READER_1_UPSTREAM: `${serviceFqdn(readers[0])}:${APP_PORT}`,
    READER_2_UPSTREAM: `${serviceFqdn(readers[1])}:${APP_PORT}`,
    NGINX_RUNTIME_DIR: RUNTIME_DIR,
    NGINX_ACCESS_LOG: '/dev/stdout',
    NGINX_ERROR_LOG: '/dev/stderr',
    NGINX_LOG_EXPORTER_ACCESS_LOG: '',
    NGINX_RESOLVER: `resolver ${CLUSTER_DNS} valid=${NGINX_RESOLVER_VALID_S}s ipv6=off;`,
    UPSTREAM_SERVER_FLAGS: ' resolve',
  }
}

export function nginxConfigMap(vars: NginxVars): ConfigMap {
  return new ConfigMap({
    metadata: { name: NGINX_CONFIG_MAP, labels: podLabels(NGINX_NAME, 'load-balancer') },
    data: { 'nginx.conf': renderNginxConfig(vars) },
  })
}

/** `nginx -s quit` after the preStop sleep: workers finish their requests (SIGTERM would cut them). */
const QUIT_GRACEFULLY = [
  `sleep ${PRE_STOP_SLEEP_S}`,
  `nginx -e stderr -c ${NGINX_CONFIG_PATH} -s quit`,
  `while [ -f ${RUNTIME_DIR}/nginx.pid ]; do sleep 1; done`,
].join('; ')

export function nginxDeployment(config: ConfigMap): Deployment {
  const labels = podLabels(NGINX_NAME, 'load-balancer')
  const configSha = createHash('sha256')
    .update(config.data?.['nginx.conf'] ?? '')
    .digest('hex')
    .slice(0, 16)
  return new Deployment({
    metadata: { name: NGINX_NAME, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorOf(NGINX_NAME) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels,
          annotations: {
            // A changed nginx.conf rolls the pods.
            'production-lab/nginx-conf-sha256': configSha,
            [SCRAPE.job]: 'nginx_exporter',
            [SCRAPE.port]: 'metrics',
            [SCRAPE.instance]: 'nginx_lb',
          },
        },
        spec: podSpec({
          user: USERS.nginx,
          terminationGracePeriodSeconds:
            PRE_STOP_SLEEP_S + longestProxyTimeoutS(config.data?.['nginx.conf'] ?? '') + GRACE_MARGIN_S,
          volumes: [{ name: 'nginx-conf', configMap: { name: NGINX_CONFIG_MAP } }],
          containers: [
            hardenedContainer(
              {
                name: 'nginx',
                image: IMAGES.nginx,
                // The image's entrypoint renders for compose (Docker's DNS); here the config is rendered already.
                command: ['nginx', '-e', 'stderr', '-c', NGINX_CONFIG_PATH, '-g', 'daemon off;'],
                ports: [
                  { name: 'http', containerPort: LB_PORT, protocol: 'TCP' },
                  { name: 'status', containerPort: NGINX_STATUS_PORT, protocol: 'TCP' },
                ],
                volumeMounts: [TMP_MOUNT, { name: 'nginx-conf', mountPath: CONFIG_DIR, readOnly: true }],
                readinessProbe: { httpGet: { path: '/lb-health', port: 'http' }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/lb-health', port: 'http' }, periodSeconds: 10 },
                lifecycle: { preStop: { exec: { command: ['sh', '-c', QUIT_GRACEFULLY] } } },
              },
              { compose: 'nginx', requestCpu: 0.1, requestMemoryBytes: mebibytes(64) },
            ),
            hardenedContainer(
              {
                name: 'nginx-exporter',
                image: IMAGES.nginxExporter,
                args: [`--nginx.scrape-uri=http://127.0.0.1:${NGINX_STATUS_PORT}/stub_status`],
                ports: [{ name: 'metrics', containerPort: NGINX_EXPORTER_PORT, protocol: 'TCP' }],
                securityContext: { runAsUser: USERS.nobody, runAsGroup: USERS.nobody },
                readinessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 5 },
                livenessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 10 },
              },
              { compose: 'nginx-exporter', requestCpu: 0.01, requestMemoryBytes: mebibytes(16) },
            ),
          ],
        }),
      },
    },
  })
}

/** The public entry: the guide's 8080, in the cluster; expose it as the cluster allows (docs). */
export function nginxService(): Service {
  return new Service({
    metadata: { name: NGINX_NAME, labels: podLabels(NGINX_NAME, 'load-balancer') },
    spec: {
      type: 'ClusterIP',
      selector: selectorOf(NGINX_NAME),
      ports: [{ name: 'http', port: LB_PORT, targetPort: 'http' }],
    },
  })
}

/** The lab overlay's upstreams: app_fast_1 (weight 3) and app_fast_2 (weight 1), as in the guide. */
export const LAB_READER_UPSTREAMS = READERS.map((r) => r.name.replaceAll('_', '-')) as [string, string]
