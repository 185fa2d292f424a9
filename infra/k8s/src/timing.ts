/**
 * Probe and shutdown timing of the apps on Kubernetes, derived from the stack's contract
 * (packages/stack/src/timings.ts, the lifecycle's defaults too) so the two never disagree. On a pod deletion
 * Kubernetes runs, in order: the preStop hook, then SIGTERM; the lifecycle then answers 503 for
 * its drain delay (GRACEFUL_SHUTDOWN_DELAY_S), stops listening and drains, all bounded by
 * SHUTDOWN_TIMEOUT_S; the kubelet SIGKILLs at terminationGracePeriodSeconds. The preStop keeps
 * the pod serving while the deletion reaches every client: the EndpointSlice drops the pod at
 * once, CoreDNS answers the headless Service's new record set after its TTL, and nginx asks
 * again after its resolver's `valid` time.
 */
import { stackTimings } from '@production-lab/stack'

/** seconds: TTL of CoreDNS's `kubernetes` plugin answers (its default `ttl 5`). */
export const CLUSTER_DNS_TTL_S = 5
/** seconds: nginx re-resolves the upstream names this often (`resolver ... valid=`). */
export const NGINX_RESOLVER_VALID_S = 5
/** seconds: the preStop sleep, long enough for nginx to have forgotten the pod's address. */
export const PRE_STOP_SLEEP_S = CLUSTER_DNS_TTL_S + NGINX_RESOLVER_VALID_S
/** seconds: room for the kubelet's own work between the steps (signal delivery, exit). */
export const GRACE_MARGIN_S = 2

/**
 * seconds: a pod's terminationGracePeriodSeconds, from its preStop sleep and the app's effective
 * drain delay and shutdown timeout (the lifecycle's defaults unless the manifest overrides them).
 * The timeout already bounds the delay; counting both keeps the sum safe whatever the app does.
 */
export function terminationGraceS({
  preStopS = PRE_STOP_SLEEP_S,
  drainDelayS = stackTimings.gracefulShutdownDelayS,
  shutdownTimeoutS = stackTimings.shutdownTimeoutS,
}: {
  preStopS?: number
  drainDelayS?: number
  shutdownTimeoutS?: number
} = {}): number {
  return Math.ceil(preStopS + drainDelayS + shutdownTimeoutS + GRACE_MARGIN_S)
}

/** The probe routes the lifecycle serves (packages/lifecycle/src/health.ts); a test asks a real service. */
export const PROBE_PATHS = { live: '/health/live', ready: '/health/ready' } as const

/** Probe settings: liveness is generous (restarts are costly), readiness quick (routing is cheap). */
export const PROBES = {
  /** startup: up to failureThreshold x period = 30 s to listen, checked every second. */
  startup: { periodSeconds: 1, failureThreshold: 30, timeoutSeconds: 1 },
  /** liveness: 3 misses 10 s apart (a 0.5-core writer under a burst may answer one late). */
  liveness: { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
  /** readiness: out of the Service within 2 x 2 s when shedding or a breaker opens. */
  readiness: { periodSeconds: 2, failureThreshold: 2, timeoutSeconds: 1, successThreshold: 1 },
} as const
