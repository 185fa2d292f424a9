/**
 * Building blocks every lab pod shares: the hardened pod spec around its containers, a writable
 * /tmp (the root filesystem is read-only), the HTTP probes on the lifecycle's routes, and a
 * headless Service, whose DNS name answers with the ready pods' addresses so nginx follows pods
 * as they come and go (no kube-proxy virtual IP in between, and no stale keep-alive to it).
 */
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container'
import type { IIoK8sApiCoreV1PodSpec } from 'kubernetes-models/v1/PodSpec'
import { Service } from 'kubernetes-models/v1/Service'
import type { IIoK8sApiCoreV1Volume } from 'kubernetes-models/v1/Volume'
import { composeLimits } from './compose-limits.js'
import { podLabels, selectorOf } from './names.js'
import { containerSecurity, podSecurity, resources } from './security.js'
import { PROBE_PATHS, PROBES } from './timing.js'

export const TMP_VOLUME: IIoK8sApiCoreV1Volume = { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' }

/** startup + liveness on /health/live, readiness on /health/ready, on the named port. */
export function lifecycleProbes(
  portName: string,
): Pick<IIoK8sApiCoreV1Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  const get = (path: string) => ({ httpGet: { path, port: portName } })
  return {
    startupProbe: { ...get(PROBE_PATHS.live), ...PROBES.startup },
    livenessProbe: { ...get(PROBE_PATHS.live), ...PROBES.liveness },
    readinessProbe: { ...get(PROBE_PATHS.ready), ...PROBES.readiness },
  }
}

export interface PodOptions {
  user: number
  containers: IIoK8sApiCoreV1Container[]
  volumes?: IIoK8sApiCoreV1Volume[]
  terminationGracePeriodSeconds?: number
  /** only Prometheus talks to the API server */
  serviceAccountName?: string
}

export function podSpec(options: PodOptions): IIoK8sApiCoreV1PodSpec {
  return {
    ...(options.serviceAccountName
      ? { serviceAccountName: options.serviceAccountName, automountServiceAccountToken: true }
      : { automountServiceAccountToken: false }),
    // No FOO_SERVICE_HOST variables: the apps read only their own schema's variables.
    enableServiceLinks: false,
    securityContext: podSecurity(options.user),
    ...(options.terminationGracePeriodSeconds === undefined
      ? {}
      : { terminationGracePeriodSeconds: options.terminationGracePeriodSeconds }),
    containers: options.containers,
    volumes: [TMP_VOLUME, ...(options.volumes ?? [])],
  }
}

/** A headless Service: DNS answers with the addresses of the ready pods themselves. */
export function headlessService(name: string, component: string, port: number, portName = 'http'): Service {
  return new Service({
    metadata: { name, labels: podLabels(name, component) },
    spec: {
      clusterIP: 'None',
      selector: selectorOf(name),
      ports: [{ name: portName, port, targetPort: portName }],
    },
  })
}

/** What a container asks of the scheduler; its limits are its compose service's. */
export interface Sizing {
  /** the docker-compose.yml service whose cpus / mem_limit are the limits */
  compose: string
  /** cores the scheduler reserves */
  requestCpu: number
  requestMemoryBytes: number
}

/** The container with the lab's hardening, pull policy, and requests and limits from `sizing`. */
export function hardenedContainer(
  container: IIoK8sApiCoreV1Container,
  sizing: Sizing,
): IIoK8sApiCoreV1Container {
  const limits = composeLimits(sizing.compose)
  const { name, image, ...rest } = container
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ...rest,
    resources: resources({
      requestCpu: Math.min(sizing.requestCpu, limits.cpus),
      requestMemoryBytes: Math.min(sizing.requestMemoryBytes, limits.memoryBytes),
      limitCpu: limits.cpus,
      limitMemoryBytes: limits.memoryBytes,
    }),
    securityContext: { ...containerSecurity, ...container.securityContext },
  }
}
