/**
 * Health of a supervised process as `lab ps` shows it, from its HTTP probes:
 * apps through /health/ready (whose 503 body says starting / draining / why not ready),
 * nginx, Prometheus and the exporter through a path that answers 200 once they serve.
 */
import type { Health } from '@production-lab/control'
import { stackDefaults } from './defaults.js'

export type ProbeKind = 'lifecycle' | 'http-200'

export interface ProbeTarget {
  /** base URL, e.g. http://127.0.0.1:7001 */
  url: string
  readyPath: string
  kind: ProbeKind
}

export async function probeHealth(
  target: ProbeTarget,
  timeoutMs: number = stackDefaults.probeTimeoutMs,
): Promise<Health> {
  let response: Response
  try {
    response = await fetch(new URL(target.readyPath, target.url), { signal: AbortSignal.timeout(timeoutMs) })
  } catch {
    return 'unhealthy'
  }
  const body = await response.text().catch(() => '')
  if (response.status === 200) return 'healthy'
  if (target.kind === 'lifecycle' && response.status === 503) {
    const reasons = parseReasons(body)
    if (reasons.includes('draining')) return 'draining'
    if (reasons.includes('starting')) return 'starting'
  }
  return 'unhealthy'
}

function parseReasons(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { reasons?: unknown }
    return Array.isArray(parsed.reasons) ? parsed.reasons.map(String) : []
  } catch {
    return []
  }
}
