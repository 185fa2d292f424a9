/**
 * The scale overlay's readers: one Deployment the HorizontalPodAutoscaler sizes, spread across
 * nodes, rolled out without ever dropping below the wanted replicas, and protected by a
 * PodDisruptionBudget during node drains. nginx balances evenly over its pods (each pod appears
 * in both reader server lines, weight 3 + 1): the guide's exact 3:1 is a two-replica idea.
 */
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { appDeployment, SCALED_READER_NAME, SURGE_ONLY } from './app-workloads.js'
import { podLabels, selectorOf } from './names.js'

/** The HPA's bounds: never fewer than 2 (the PDB can then always let one go), at most 6. */
export const SCALE_MIN_REPLICAS = 2
export const SCALE_MAX_REPLICAS = 6
/** percent of the CPU request: above it the HPA adds readers. */
const TARGET_CPU_UTILIZATION_PERCENT = 70

export function scaledReaders() {
  const labels = podLabels(SCALED_READER_NAME, 'reader')
  const deployment = appDeployment({
    kind: 'reader',
    name: SCALED_READER_NAME,
    serviceName: 'FAST_REPLICA',
    replicas: SCALE_MIN_REPLICAS,
    strategy: SURGE_ONLY,
    extraPodSpec: {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          // A one-node cluster (kind, k3d) still schedules every replica.
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selectorOf(SCALED_READER_NAME) },
        },
      ],
    },
  })
  return [
    deployment,
    new HorizontalPodAutoscaler({
      metadata: { name: SCALED_READER_NAME, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: SCALED_READER_NAME },
        minReplicas: SCALE_MIN_REPLICAS,
        maxReplicas: SCALE_MAX_REPLICAS,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: TARGET_CPU_UTILIZATION_PERCENT },
            },
          },
        ],
      },
    }),
    new PodDisruptionBudget({
      metadata: { name: SCALED_READER_NAME, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(SCALED_READER_NAME) } },
    }),
  ]
}
