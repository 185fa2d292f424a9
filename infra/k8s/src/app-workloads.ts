/**
 * The lab's Node apps as Deployments: the writer (app_slow), the readers (app_fast_1/2, or one
 * autoscaled Deployment in the scale overlay) and the health-watcher. Names, SERVICE_NAMEs and
 * the writer's limits come from the topology; the env is what docker-compose.yml sets, checked
 * against each app's TypeBox schema by a test.
 */

import { watcherConfigSchema } from '@production-lab/health-watcher'
import { HEALTH_WATCHER, READERS, WRITER } from '@production-lab/stack'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IIoK8sApiAppsV1DeploymentStrategy } from 'kubernetes-models/apps/v1/DeploymentStrategy'
import type { IIoK8sApiCoreV1EnvVar } from 'kubernetes-models/v1/EnvVar'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import type { IIoK8sApiCoreV1PodSpec } from 'kubernetes-models/v1/PodSpec'
import type { IIoK8sApiCoreV1Volume } from 'kubernetes-models/v1/Volume'
import { composeEnv, composeLimits } from './compose-limits.js'
import { APP_PORT, IMAGES, nameOf, podLabels, SCRAPE, selectorOf, serviceFqdn } from './names.js'
import { hardenedContainer, lifecycleProbes, podSpec, type Sizing, TMP_MOUNT } from './pod-parts.js'
import { SECRET_KEYS, SECRET_NAME } from './secrets.js'
import { mebibytes, USERS } from './security.js'
import { PRE_STOP_SLEEP_S, terminationGraceS } from './timing.js'

const WRITER_LIMITS = composeLimits('writer')
/** Requests per app; the limits are the compose services' (the writer's are the guide's 500m / 512Mi). */
export const APP_SIZING = {
  // Requested in full: Guaranteed QoS, the guide's limits reserved as `docker inspect` shows them.
  writer: {
    compose: 'writer',
    requestCpu: WRITER_LIMITS.cpus,
    requestMemoryBytes: WRITER_LIMITS.memoryBytes,
  },
  reader: { compose: 'reader-1', requestCpu: 0.1, requestMemoryBytes: mebibytes(128) },
  watcher: { compose: 'health-watcher', requestCpu: 0.05, requestMemoryBytes: mebibytes(64) },
} satisfies Record<string, Sizing>

/** seconds: the watcher's own drain-delay default (nothing routes traffic to it). */
const WATCHER_DRAIN_DELAY_S = Number(watcherConfigSchema(0).properties.GRACEFUL_SHUTDOWN_DELAY_S.default)

export type AppKind = 'writer' | 'reader' | 'watcher'
const COMPONENT: Record<AppKind, string> = { writer: 'writer', reader: 'reader', watcher: 'health-watcher' }
/** The Prometheus job names of compose (prometheus/prometheus.yml.template). */
const SCRAPE_JOB: Record<AppKind, string> = { writer: 'writer', reader: 'reader', watcher: 'health_watcher' }

export interface AppOptions {
  kind: AppKind
  name: string
  serviceName: string
  replicas: number
  /** the guide's container name for `instance`; omitted when replicas vary (the pod name is used) */
  instance?: string
  env?: IIoK8sApiCoreV1EnvVar[]
  strategy: IIoK8sApiAppsV1DeploymentStrategy
  /** volumes of the pod, each mounted into the app's container at `mountPath` */
  volumes?: Array<{ volume: IIoK8sApiCoreV1Volume; mountPath: string }>
  extraPodSpec?: Partial<IIoK8sApiCoreV1PodSpec>
}

const IMAGE: Record<AppKind, string> = {
  writer: IMAGES.writer,
  reader: IMAGES.reader,
  watcher: IMAGES.watcher,
}

export function appDeployment(options: AppOptions): Deployment {
  const limits = composeLimits(APP_SIZING[options.kind].compose)
  // The watcher gets no traffic, so nothing to wait for before SIGTERM; its drain delay is 0.
  const servesTraffic = options.kind !== 'watcher'
  const env: IIoK8sApiCoreV1EnvVar[] = [
    { name: 'SERVICE_NAME', value: options.serviceName },
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'PORT', value: String(APP_PORT) },
    { name: 'CPU_LIMIT_CORES', value: String(limits.cpus) },
    { name: 'MEMORY_LIMIT_BYTES', value: String(limits.memoryBytes) },
    {
      name: 'ADMIN_TOKEN',
      valueFrom: { secretKeyRef: { name: SECRET_NAME, key: SECRET_KEYS.adminToken } },
    },
    ...(options.env ?? []),
  ]
  const labels = podLabels(options.name, COMPONENT[options.kind])
  return new Deployment({
    metadata: { name: options.name, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: selectorOf(options.name) },
      strategy: options.strategy,
      template: {
        metadata: {
          labels,
          annotations: {
            [SCRAPE.job]: SCRAPE_JOB[options.kind],
            [SCRAPE.port]: 'http',
            ...(options.instance ? { [SCRAPE.instance]: options.instance } : {}),
          },
        },
        spec: {
          ...podSpec({
            user: USERS.node,
            volumes: (options.volumes ?? []).map(({ volume }) => volume),
            terminationGracePeriodSeconds: servesTraffic
              ? terminationGraceS()
              : terminationGraceS({ preStopS: 0, drainDelayS: WATCHER_DRAIN_DELAY_S }),
            containers: [
              hardenedContainer(
                {
                  name: options.kind,
                  image: IMAGE[options.kind],
                  ports: [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }],
                  env,
                  volumeMounts: [
                    TMP_MOUNT,
                    ...(options.volumes ?? []).map(({ volume, mountPath }) => ({
                      name: volume.name,
                      mountPath,
                    })),
                  ],
                  ...lifecycleProbes('http'),
                  ...(servesTraffic
                    ? { lifecycle: { preStop: { exec: { command: ['sleep', String(PRE_STOP_SLEEP_S)] } } } }
                    : {}),
                },
                APP_SIZING[options.kind],
              ),
            ],
          }),
          ...options.extraPodSpec,
        },
      },
    },
  })
}

/** One replica at a time: the old pod is gone before the new one starts (see docs/kubernetes.md). */
export const RECREATE: IIoK8sApiAppsV1DeploymentStrategy = { type: 'Recreate' }
/** Never below the wanted replicas during a rollout: a new pod is ready before an old one goes. */
export const SURGE_ONLY: IIoK8sApiAppsV1DeploymentStrategy = {
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
}

export const WRITER_NAME = nameOf(WRITER)
export const READER_NAMES = READERS.map(nameOf)
/** The scale overlay's one reader Deployment. */
export const SCALED_READER_NAME = 'app-fast'
export const WATCHER_NAME = nameOf(HEALTH_WATCHER)

/** The writer's database directory: where compose mounts its named volume. */
export const WRITER_DATA_DIR = composeEnv('writer', 'WRITER_DATA_DIR')
export const WRITER_DATA_CLAIM = 'writer-data'

/**
 * One replica, Recreate: the database (SQLite in WAL mode, docs/durable-writes.md) belongs to
 * one process at a time, so the old pod releases the volume before the new one opens it.
 */
export function writerDeployment(): Deployment {
  return appDeployment({
    kind: 'writer',
    name: WRITER_NAME,
    serviceName: WRITER.serviceName,
    instance: WRITER.name,
    replicas: 1,
    strategy: RECREATE,
    env: [{ name: 'WRITER_DATA_DIR', value: WRITER_DATA_DIR }],
    volumes: [
      {
        volume: { name: 'data', persistentVolumeClaim: { claimName: WRITER_DATA_CLAIM } },
        mountPath: WRITER_DATA_DIR,
      },
    ],
  })
}

/** Every acknowledged write lives here; ReadWriteOnce: one node mounts it, like the one writer. */
export function writerDataClaim(): PersistentVolumeClaim {
  return new PersistentVolumeClaim({
    metadata: { name: WRITER_DATA_CLAIM, labels: podLabels(WRITER_NAME, COMPONENT.writer) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  })
}

/** The lab overlay's readers: one Deployment per guide replica, so 3:1 stays exact. */
export function labReaderDeployments(): Deployment[] {
  return READERS.map((reader) =>
    appDeployment({
      kind: 'reader',
      name: nameOf(reader),
      serviceName: reader.serviceName,
      instance: reader.name,
      replicas: 1,
      strategy: SURGE_ONLY,
    }),
  )
}

/**
 * The health-watcher, observe-only: on Kubernetes the kubelet restarts containers (liveness)
 * and controllers replace pods, so a second restarter would fight them. It keeps probing and
 * exporting each target's state (watcher_* metrics, /targets) for the dashboards and alerts.
 */
export function watcherDeployment(targets: Array<{ name: string; service: string }>): Deployment {
  const watchTargets = targets.map(({ name, service }) => ({
    name,
    url: `http://${serviceFqdn(service)}:${APP_PORT}`,
  }))
  return appDeployment({
    kind: 'watcher',
    name: WATCHER_NAME,
    serviceName: HEALTH_WATCHER.serviceName,
    instance: HEALTH_WATCHER.name,
    replicas: 1,
    strategy: RECREATE,
    env: [
      { name: 'WATCHER_ADAPTER', value: 'observe' },
      { name: 'WATCH_TARGETS', value: JSON.stringify(watchTargets) },
    ],
  })
}
