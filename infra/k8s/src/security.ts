/**
 * The hardening every pod and container gets (the Pod Security Standards' `restricted` profile,
 * which the namespace enforces), and resources in one helper so none is ever left without
 * requests and limits. Users are numeric because runAsNonRoot cannot check a user name: the
 * images' users are node (1000), nginx (101 in the official image), nobody (65534), grafana (472).
 */
import type { IIoK8sApiCoreV1PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext'
import type { IIoK8sApiCoreV1ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements'
import type { IIoK8sApiCoreV1SecurityContext } from 'kubernetes-models/v1/SecurityContext'

export const USERS = { node: 1000, nginx: 101, nobody: 65534, grafana: 472 } as const

export function podSecurity(user: number): IIoK8sApiCoreV1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: 'RuntimeDefault' },
  }
}

export const containerSecurity: IIoK8sApiCoreV1SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
}

export interface Resources {
  /** cores, e.g. 0.5 */
  requestCpu: number
  requestMemoryBytes: number
  limitCpu: number
  limitMemoryBytes: number
}

const MI = 1024 * 1024
export const mebibytes = (count: number) => count * MI

/** Kubernetes quantities: millicores and Mi (bytes when not a whole Mi). */
export function quantity(kind: 'cpu' | 'memory', value: number): string {
  if (kind === 'cpu') return `${Math.round(value * 1000)}m`
  return value % MI === 0 ? `${value / MI}Mi` : String(value)
}

export function resources(r: Resources): IIoK8sApiCoreV1ResourceRequirements {
  return {
    requests: { cpu: quantity('cpu', r.requestCpu), memory: quantity('memory', r.requestMemoryBytes) },
    limits: { cpu: quantity('cpu', r.limitCpu), memory: quantity('memory', r.limitMemoryBytes) },
  }
}
