/**
 * Grafana on the cluster: the compose file's image with the same provisioning files
 * (grafana/provisioning: the Prometheus datasource at http://prometheus:9090, which the
 * `prometheus` Service answers in this namespace, and the dashboard provider) and the four
 * generated dashboards (grafana/dashboards), all as ConfigMaps. The dashboards' ConfigMap also
 * carries `grafana_dashboard: "1"`, the label the Grafana Helm chart's sidecar loads, for
 * clusters that already run a Grafana. The admin password comes from the user's Secret.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { GRAFANA_PORT, IMAGES, podLabels, selectorOf } from './names.js'
import { REPO_ROOT } from './paths.js'
import { hardenedContainer, podSpec, TMP_MOUNT } from './pod-parts.js'
import { SECRET_KEYS, SECRET_NAME } from './secrets.js'
import { mebibytes, USERS } from './security.js'

export const GRAFANA_NAME = 'grafana'
const GRAFANA_DIR = join(REPO_ROOT, 'grafana')
/** Where grafana/provisioning/dashboards/production-lab.yml points its file provider. */
const DASHBOARDS_MOUNT = '/var/lib/grafana/dashboards'

function filesOf(dir: string, suffix: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()) {
    files[file] = readFileSync(join(dir, file), 'utf8')
  }
  return files
}

export function grafanaObjects() {
  const labels = podLabels(GRAFANA_NAME, 'dashboards')
  const metadata = { name: GRAFANA_NAME, labels }
  const configMaps = {
    datasources: filesOf(join(GRAFANA_DIR, 'provisioning/datasources'), '.yml'),
    providers: filesOf(join(GRAFANA_DIR, 'provisioning/dashboards'), '.yml'),
    dashboards: filesOf(join(GRAFANA_DIR, 'dashboards'), '.json'),
  }
  const mounts = [
    { key: 'datasources', mountPath: '/etc/grafana/provisioning/datasources' },
    { key: 'providers', mountPath: '/etc/grafana/provisioning/dashboards' },
    { key: 'dashboards', mountPath: DASHBOARDS_MOUNT },
  ] as const
  return [
    ...mounts.map(
      ({ key }) =>
        new ConfigMap({
          metadata: {
            name: `grafana-${key}`,
            labels: key === 'dashboards' ? { ...labels, grafana_dashboard: '1' } : labels,
          },
          data: configMaps[key],
        }),
    ),
    new Deployment({
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorOf(GRAFANA_NAME) },
        // Its SQLite database lives on an emptyDir: one pod at a time.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels },
          spec: podSpec({
            user: USERS.grafana,
            volumes: [
              { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
              ...mounts.map(({ key }) => ({ name: key, configMap: { name: `grafana-${key}` } })),
            ],
            containers: [
              hardenedContainer(
                {
                  name: 'grafana',
                  image: IMAGES.grafana,
                  env: [
                    { name: 'GF_SECURITY_ADMIN_USER', value: 'admin' },
                    {
                      name: 'GF_SECURITY_ADMIN_PASSWORD',
                      valueFrom: {
                        secretKeyRef: { name: SECRET_NAME, key: SECRET_KEYS.grafanaAdminPassword },
                      },
                    },
                    { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
                    { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
                    // Logs to stdout only: the root filesystem is read-only (no /var/log/grafana).
                    { name: 'GF_LOG_MODE', value: 'console' },
                  ],
                  ports: [{ name: 'http', containerPort: GRAFANA_PORT, protocol: 'TCP' }],
                  volumeMounts: [
                    TMP_MOUNT,
                    { name: 'data', mountPath: '/var/lib/grafana' },
                    ...mounts.map(({ key, mountPath }) => ({ name: key, mountPath, readOnly: true })),
                  ],
                  readinessProbe: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 5 },
                  livenessProbe: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 15 },
                },
                { compose: 'grafana', requestCpu: 0.1, requestMemoryBytes: mebibytes(128) },
              ),
            ],
          }),
        },
      },
    }),
    new Service({
      metadata,
      spec: {
        selector: selectorOf(GRAFANA_NAME),
        ports: [{ name: 'http', port: GRAFANA_PORT, targetPort: 'http' }],
      },
    }),
  ]
}
