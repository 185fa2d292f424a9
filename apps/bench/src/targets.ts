/**
 * The performance targets, as data, and their checks. A missed target is reported
 * (MISSED, with the numbers), never turned into a failing exit: only a crash or a broken
 * measurement fails the run.
 */

export const targets = {
  /** lifecycle with everything on, rps / bare Fastify rps */
  lifecycleAllOnRatio: 0.8,
  /** lifecycle with everything on, rps / the peer stack's rps (each peer row) */
  lifecycleOverPeerRatio: 1.0,
  /** lifecycle with everything on, server CPU per request / the peer stack's */
  lifecycleOverPeerCpuRatio: 1.0,
  /** lifecycle with LOG_REQUESTS=false, rps / bare Fastify rps */
  lifecycleNoLogRatio: 0.9,
  /** readers through nginx, rps / a reader directly, at 50 clients (issue 17: at least 0.90x) */
  nginxRatio: 0.9,
  /** readers through nginx: p99 at most this many times p50 */
  nginxP99OverP50: 3,
  /** ms: /read p50 directly at 50 clients */
  readP50DirectMs: 6.0,
  /** ms: /read p50 through nginx at 50 clients */
  readP50NginxMs: 6.5,
  /** ms: /write p50 */
  writeP50Ms: 51,
  /** ms: process spawn to the first 200 on /health/ready */
  readyMs: 1000,
  /** ms: allowed on top of GRACEFUL_SHUTDOWN_DELAY_S from SIGTERM to exit */
  shutdownOverDelayMs: 100,
  /** bytes: idle resident memory per service */
  idleRssBytes: 90 * 1024 * 1024,
} as const

export type Comparison = 'atLeast' | 'atMost' | 'below'

export interface TargetCheck {
  /** what is checked, for example "lifecycle all on / bare rps" */
  name: string
  value: number
  limit: number
  comparison: Comparison
  /** how to print value and limit: 'x' for ratios, 'ms', 'MB' */
  unit: 'x' | 'ms' | 'MB'
}

export interface TargetResult extends TargetCheck {
  met: boolean
  /** one line: "ok      name: 0.91x >= 0.80x" or "MISSED  name: 0.71x, target >= 0.80x" */
  line: string
}

const SYMBOL: Record<Comparison, string> = { atLeast: '>=', atMost: '<=', below: '<' }

export function formatValue(value: number, unit: TargetCheck['unit']): string {
  if (unit === 'x') return `${value.toFixed(2)}x`
  if (unit === 'MB') return `${(value / (1024 * 1024)).toFixed(1)} MB`
  return `${value.toFixed(value < 100 ? 2 : 0)} ms`
}

export function checkTarget(check: TargetCheck): TargetResult {
  if (!Number.isFinite(check.value)) {
    throw new Error(`target "${check.name}" got a value of ${check.value}: the measurement is broken`)
  }
  const met =
    check.comparison === 'atLeast'
      ? check.value >= check.limit
      : check.comparison === 'atMost'
        ? check.value <= check.limit
        : check.value < check.limit
  const value = formatValue(check.value, check.unit)
  const limit = `${SYMBOL[check.comparison]} ${formatValue(check.limit, check.unit)}`
  const line = met
    ? `ok      ${check.name}: ${value} ${limit}`
    : `MISSED  ${check.name}: ${value}, target ${limit}`
  return { ...check, met, line }
}
